/// keras_hub's `TransformerEncoder` (Vaswani et al. 2017), built from Keras layers as
/// keras_hub builds it: with `hidden` the input's last axis and `key_dim = hidden / num_heads`,
///
///     a = LayerNorm₁(x + Dropout(MultiHeadAttention(x, x)))
///     y = LayerNorm₂(a + Dropout(Dense_hidden(Dense_intermediate,activation(a))))
///
/// or, with `normalize_first`, the layer norms applied to each block's input instead
/// (`a = x + Dropout(MHA(LN₁(x), LN₁(x)))`, `y = a + Dropout(FF(LN₂(a)))`). Weights, in
/// keras_hub's `get_weights()` order: the attention's eight, LayerNorm₁'s gamma and beta,
/// LayerNorm₂'s, the intermediate Dense's kernel and bias, the output Dense's.
///
/// A Keras mask on the input (keras_hub's padding mask, e.g. from `Embedding(mask_zero)`)
/// masks the attention as keras_hub does — padded keys for every query, and padded
/// queries through the attention's own query mask — and is carried by the output.
public final class TransformerEncoder: UnaryLayer, MaskAware, InputMaskClearing, RandomStateful {
    public struct Config {
        public var intermediateDim: Int
        public var numHeads: Int
        public var dropout: Float = 0
        public var activation: Activation = .relu()
        public var layerNormEpsilon: Float = 1e-5
        public var kernelInitializer: Initializer = .glorotUniform
        public var biasInitializer: Initializer = .zeros
        public var normalizeFirst = false
        public init(intermediateDim: Int, numHeads: Int) { self.intermediateDim = intermediateDim; self.numHeads = numHeads }
    }

    public var name: String
    public let config: Config
    private var attention: MultiHeadAttention?
    private var norms: [LayerNormalization] = []
    private var dense: [Dense] = []
    private var dropouts: [Dropout] = []

    public init(_ config: Config, name: String = "transformer_encoder") { self.config = config; self.name = name }

    public var typeName: String { "TransformerEncoder" }
    /// Post-norm, its attention runs on the input tensor itself and deletes its mask.
    public var clearsInputMasks: Bool { !config.normalizeFirst }
    public var parameters: [Parameter] {
        (attention?.parameters ?? []) + norms.flatMap(\.parameters) + dense.flatMap(\.parameters)
    }
    public var randomState: RNG {
        get { attention?.randomState ?? RNG(seed: 0) }
        set { attention?.randomState = newValue }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.intermediateDim > 0, config.numHeads > 0 else {
            throw ShapeError(layer: name, "intermediate_dim and num_heads must be positive, got \(config.intermediateDim), \(config.numHeads)")
        }
        guard config.dropout >= 0 && config.dropout < 1 else { throw ShapeError(layer: name, "dropout must be in [0, 1), got \(config.dropout)") }
        guard inputShape.count == 2 else {
            throw ShapeError(layer: name, "TransformerEncoder expects input of shape (None, steps, hidden), got \(kerasShape(inputShape))")
        }
        guard inputShape[1] >= config.numHeads else {
            throw ShapeError(layer: name, "Attention `key_dim` computed cannot be zero. The `hidden_dim` value of \(inputShape[1]) has to be equal to or greater than `num_heads` value of \(config.numHeads).")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard attention == nil else { return }
        let hidden = inputShape[1]
        var a = MultiHeadAttention.Config(numHeads: config.numHeads, keyDim: hidden / config.numHeads)
        a.dropout = config.dropout
        a.kernelInitializer = config.kernelInitializer; a.biasInitializer = config.biasInitializer
        let mha = MultiHeadAttention(a, name: "\(name)/self_attention_layer")
        _ = try mha.build(inputShapes: [inputShape, inputShape], context: &context)
        var n = LayerNormalization.Config()
        n.epsilon = config.layerNormEpsilon
        norms = [LayerNormalization(n, name: "\(name)/self_attention_layer_norm"), LayerNormalization(n, name: "\(name)/feedforward_layer_norm")]
        for norm in norms { _ = try norm.build(inputShapes: [inputShape], context: &context) }
        var inner = Dense.Config(units: config.intermediateDim, activation: config.activation)
        inner.kernelInitializer = config.kernelInitializer; inner.biasInitializer = config.biasInitializer
        var outer = Dense.Config(units: hidden)
        outer.kernelInitializer = config.kernelInitializer; outer.biasInitializer = config.biasInitializer
        dense = [Dense(inner, name: "\(name)/feedforward_intermediate_dense"), Dense(outer, name: "\(name)/feedforward_output_dense")]
        _ = try dense[0].build(inputShapes: [inputShape], context: &context)
        _ = try dense[1].build(inputShapes: [[inputShape[0], config.intermediateDim]], context: &context)
        dropouts = [Dropout(rate: config.dropout, name: "\(name)/self_attention_dropout"), Dropout(rate: config.dropout, name: "\(name)/feedforward_dropout")]
        for d in dropouts { _ = try d.build(inputShapes: [inputShape], context: &context) }
        attention = mha
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        forward([x], masks: [], training: training).outputs[0]
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let x = inputs[0], mask = masks.firstMask
        guard let attention else { preconditionFailure("TransformerEncoder '\(name)' used before build") }
        let first = config.normalizeFirst
        // One random stream for the attention's and both dropouts' masks (what randomState
        // saves, so a resumed run draws the same masks).
        func drop(_ i: Int, _ v: Tensor) -> Tensor {
            guard training, config.dropout > 0 else { return v }
            dropouts[i].randomState = attention.randomState
            defer { attention.randomState = dropouts[i].randomState }
            return dropouts[i](v, training: training)
        }
        let q = first ? norms[0](x, training: training) : x
        var h = drop(0, attention.forward([q, q], masks: [mask, mask], training: training).outputs[0]) + x
        if !first { h = norms[0](h, training: training) }
        let f = first ? norms[1](h, training: training) : h
        var y = drop(1, dense[1](dense[0](f, training: training), training: training)) + h
        if !first { y = norms[1](y, training: training) }
        return ([y], mask)
    }
}

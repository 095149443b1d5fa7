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
    public typealias Config = TransformerOptions

    public var name: String
    public let config: Config
    private var attention: MultiHeadAttention?
    private var blocks: [TransformerResidual] = []
    private var dense: [Dense] = []

    public init(_ config: Config, name: String = "transformer_encoder") { self.config = config; self.name = name }

    public var typeName: String { "TransformerEncoder" }
    /// Post-norm, its attention runs on the input tensor itself and deletes its mask.
    public var clearsInputMasks: Bool { !config.normalizeFirst }
    public var parameters: [Parameter] {
        (attention?.parameters ?? []) + blocks.flatMap(\.norm.parameters) + dense.flatMap(\.parameters)
    }
    public var randomState: RNG {
        get { attention?.randomState ?? RNG(seed: 0) }
        set { attention?.randomState = newValue }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try config.check(inputShape, layer: name, kind: "TransformerEncoder")
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard attention == nil else { return }
        let mha = try config.attention(name, "self_attention_layer", query: inputShape, value: inputShape, context: &context)
        blocks = [try config.residual(name, "self_attention", shape: inputShape, context: &context),
                  try config.residual(name, "feedforward", shape: inputShape, context: &context)]
        dense = try config.feedForward(name, shape: inputShape, context: &context)
        for b in blocks { try b.buildDropout(shape: inputShape, context: &context) }
        attention = mha
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        forward([x], masks: [], training: training).outputs[0]
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        guard let attention else { preconditionFailure("TransformerEncoder '\(name)' used before build") }
        let x = inputs[0], mask = masks.firstMask
        // One random stream (the attention's) for all three dropout sites.
        let h = blocks[0](x, training: training, stream: attention) { q in
            attention.attend(q, q, masks: [mask, mask], training: training, stream: attention)
        }
        let y = blocks[1](h, training: training, stream: attention) { f in dense[1](dense[0](f, training: training), training: training) }
        return ([y], mask)
    }
}

/// The arguments keras_hub's `TransformerEncoder` and `TransformerDecoder` share, with
/// keras_hub's defaults, and the sub-layers both are built from, named and created as
/// keras_hub builds them (`key_dim = hidden / num_heads`; the initializers given to every
/// attention and Dense).
public struct TransformerOptions {
    public var intermediateDim: Int
    public var numHeads: Int
    public var dropout: Float = 0
    public var activation: Activation = .relu()
    public var layerNormEpsilon: Float = 1e-5
    public var kernelInitializer: Initializer = .glorotUniform
    public var biasInitializer: Initializer = .zeros
    public var normalizeFirst = false
    public init(intermediateDim: Int, numHeads: Int) { self.intermediateDim = intermediateDim; self.numHeads = numHeads }

    /// Checks the arguments and a `(steps, hidden)` input shape, as keras_hub does.
    func check(_ inputShape: [Int], layer: String, kind: String) throws {
        guard intermediateDim > 0, numHeads > 0 else {
            throw ShapeError(layer: layer, "intermediate_dim and num_heads must be positive, got \(intermediateDim), \(numHeads)")
        }
        guard dropout >= 0 && dropout < 1 else { throw ShapeError(layer: layer, "dropout must be in [0, 1), got \(dropout)") }
        guard inputShape.count == 2 else {
            throw ShapeError(layer: layer, "\(kind) expects input of shape (None, steps, hidden), got \(kerasShape(inputShape))")
        }
        guard inputShape[1] >= numHeads else {
            throw ShapeError(layer: layer, "Attention `key_dim` computed cannot be zero. The `hidden_dim` value of \(inputShape[1]) has to be equal to or greater than `num_heads` value of \(numHeads).")
        }
    }

    /// The attention `<layer>/<sub>` of `query` over `value` (shapes without the batch).
    func attention(_ layer: String, _ sub: String, query: [Int], value: [Int], valueDim: Int? = nil, causal: Bool = false,
                   context: inout BuildContext) throws -> MultiHeadAttention {
        var a = MultiHeadAttention.Config(numHeads: numHeads, keyDim: query[1] / numHeads, valueDim: valueDim)
        a.dropout = dropout
        a.kernelInitializer = kernelInitializer; a.biasInitializer = biasInitializer
        a.useCausalMask = causal
        let mha = MultiHeadAttention(a, name: "\(layer)/\(sub)")
        _ = try mha.build(inputShapes: [query, value], context: &context)
        return mha
    }

    /// The residual around `<layer>/<sub>`: its `<sub>_layer_norm` (built) and
    /// `<sub>_dropout` (built by ``TransformerResidual/buildDropout(shape:context:)``,
    /// after the block's other weights, so the initial draws keep their order).
    func residual(_ layer: String, _ sub: String, shape: [Int], context: inout BuildContext) throws -> TransformerResidual {
        var n = LayerNormalization.Config()
        n.epsilon = layerNormEpsilon
        let r = TransformerResidual(norm: LayerNormalization(n, name: "\(layer)/\(sub)_layer_norm"),
                                    dropout: Dropout(rate: dropout, name: "\(layer)/\(sub)_dropout"), normalizeFirst: normalizeFirst)
        _ = try r.norm.build(inputShapes: [shape], context: &context)
        return r
    }

    /// The feed-forward network: `feedforward_intermediate_dense` (intermediate_dim, the
    /// activation) then `feedforward_output_dense` back to the hidden size.
    func feedForward(_ layer: String, shape: [Int], context: inout BuildContext) throws -> [Dense] {
        var inner = Dense.Config(units: intermediateDim, activation: activation)
        inner.kernelInitializer = kernelInitializer; inner.biasInitializer = biasInitializer
        var outer = Dense.Config(units: shape[1])
        outer.kernelInitializer = kernelInitializer; outer.biasInitializer = biasInitializer
        let dense = [Dense(inner, name: "\(layer)/feedforward_intermediate_dense"), Dense(outer, name: "\(layer)/feedforward_output_dense")]
        _ = try dense[0].build(inputShapes: [shape], context: &context)
        _ = try dense[1].build(inputShapes: [[shape[0], intermediateDim]], context: &context)
        return dense
    }
}

/// One residual sub-block of keras_hub's Transformer layers:
///
///     post-norm:        LayerNorm(x + Dropout(f(x)))
///     normalize_first:  x + Dropout(f(LayerNorm(x)))
struct TransformerResidual {
    let norm: LayerNormalization
    let dropout: Dropout
    let normalizeFirst: Bool

    func buildDropout(shape: [Int], context: inout BuildContext) throws {
        _ = try dropout.build(inputShapes: [shape], context: &context)
    }

    /// The block around `f`. The dropout mask is drawn from `stream`'s generator (the
    /// layer's one random stream, which its randomState saves), advanced past the draw.
    func callAsFunction(_ x: Tensor, training: Bool, stream: RandomStateful, _ f: (Tensor) -> Tensor) -> Tensor {
        var y = f(normalizeFirst ? norm(x, training: training) : x)
        if training && dropout.rate > 0 {
            dropout.randomState = stream.randomState
            y = dropout(y, training: training)
            stream.randomState = dropout.randomState
        }
        y = y + x
        return normalizeFirst ? y : norm(y, training: training)
    }
}

extension MultiHeadAttention {
    /// Self- or cross-attention drawing its dropout from `stream`'s generator (see
    /// ``TransformerResidual``); `stream` may be the attention itself.
    /// `masks`: the Keras masks of query and value (keras_hub's padding mask), if any.
    func attend(_ query: Tensor, _ value: Tensor, masks: [Tensor?] = [], training: Bool, stream: RandomStateful) -> Tensor {
        if stream !== self { randomState = stream.randomState }
        defer { if stream !== self { stream.randomState = randomState } }
        return forward([query, value], masks: masks, training: training).outputs[0]
    }
}

/// keras_hub's `TransformerDecoder` (Vaswani et al. 2017), built as keras_hub builds it
/// from the parts it shares with ``TransformerEncoder`` (``TransformerOptions``): with
/// `key_dim = hidden / num_heads`,
///
///     a = LayerNorm₁(x + Dropout(MHA_causal(x, x)))
///     c = LayerNorm₂(a + Dropout(MHA(a, encoder_sequence)))      (only with an encoder sequence)
///     y = LayerNorm₃(c + Dropout(Dense_hidden(Dense_intermediate,activation(c))))
///
/// or, with `normalize_first`, each layer norm applied to its block's input instead.
/// Inputs: `decoder_sequence` `(batch, steps, hidden)` and optionally `encoder_sequence`
/// `(batch, source steps, features)`; the self-attention is causal unless
/// `use_causal_mask` is false. Weights, in keras_hub's `get_weights()` order: the
/// self-attention's eight, its layer norm's two, then (with cross-attention) the
/// cross-attention's eight and its layer norm's two, the two Dense layers' kernels and
/// biases, the feed-forward layer norm's two.
public final class TransformerDecoder: Layer, RandomStateful {
    @dynamicMemberLookup
    public struct Config: ComposesTransformerOptions {
        public var transformer: TransformerOptions
        /// The call argument `use_causal_mask` (keras_hub's default true).
        public var useCausalMask = true
        public init(_ transformer: TransformerOptions) { self.transformer = transformer }
        public init(intermediateDim: Int, numHeads: Int) { self.init(TransformerOptions(intermediateDim: intermediateDim, numHeads: numHeads)) }
    }

    public var name: String
    public let config: Config
    private var selfAttention: MultiHeadAttention?
    private var crossAttention: MultiHeadAttention?
    /// Self-attention, cross-attention (when built with an encoder sequence), feed-forward.
    private var blocks: [TransformerResidual] = []
    private var dense: [Dense] = []

    public init(_ config: Config, name: String = "transformer_decoder") { self.config = config; self.name = name }

    public var typeName: String { "TransformerDecoder" }
    public var parameters: [Parameter] {
        guard let selfAttention else { return [] }
        let cross = crossAttention.map { $0.parameters + blocks[1].norm.parameters } ?? []
        return selfAttention.parameters + blocks[0].norm.parameters + cross + dense.flatMap(\.parameters)
            + (blocks.last?.norm.parameters ?? [])
    }
    public var randomState: RNG {
        get { selfAttention?.randomState ?? RNG(seed: 0) }
        set { selfAttention?.randomState = newValue }
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let t = config.transformer
        guard inputShapes.count == 1 || inputShapes.count == 2 else {
            throw ShapeError(layer: name, "TransformerDecoder takes decoder_sequence[, encoder_sequence], got \(inputShapes.count) inputs")
        }
        let decoder = inputShapes[0]
        try t.check(decoder, layer: name, kind: "TransformerDecoder")
        let encoder = inputShapes.count == 2 ? inputShapes[1] : nil
        if let encoder, encoder.count != 2 {
            throw ShapeError(layer: name, "encoder_sequence must have shape (None, steps, features), got \(kerasShape(encoder))")
        }
        if let selfAttention {
            guard (crossAttention != nil) == (encoder != nil) else {
                throw ShapeError(layer: name, "The number of call arguments to `keras_hub.layers.TransformerDecoder` should not change: it was built \(crossAttention == nil ? "without" : "with") cross attention")
            }
            _ = try selfAttention.build(inputShapes: [decoder, decoder], context: &context)
            if let encoder { _ = try crossAttention?.build(inputShapes: [decoder, encoder], context: &context) }
            return [decoder]
        }
        let attention = try t.attention(name, "self_attention", query: decoder, value: decoder, causal: config.useCausalMask, context: &context)
        blocks = [try t.residual(name, "self_attention", shape: decoder, context: &context)]
        if let encoder {
            crossAttention = try t.attention(name, "cross_attention", query: decoder, value: encoder, valueDim: decoder[1] / t.numHeads,
                                             context: &context)
            blocks.append(try t.residual(name, "cross_attention", shape: decoder, context: &context))
        }
        dense = try t.feedForward(name, shape: decoder, context: &context)
        blocks.append(try t.residual(name, "feedforward", shape: decoder, context: &context))
        for b in blocks { try b.buildDropout(shape: decoder, context: &context) }
        selfAttention = attention
        return [decoder]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        guard let selfAttention else { preconditionFailure("TransformerDecoder '\(name)' used before build") }
        // One random stream (the self-attention's) for every dropout site.
        let stream = selfAttention
        var x = blocks[0](inputs[0], training: training, stream: stream) { q in selfAttention.attend(q, q, training: training, stream: stream) }
        if let crossAttention, inputs.count > 1 {
            let encoder = inputs[1]
            x = blocks[1](x, training: training, stream: stream) { q in crossAttention.attend(q, encoder, training: training, stream: stream) }
        }
        return [blocks[blocks.count - 1](x, training: training, stream: stream) { f in dense[1](dense[0](f, training: training), training: training) }]
    }
}

/// Configs composing ``TransformerOptions`` as `transformer`.
public protocol ComposesTransformerOptions: ComposesOptions where Options == TransformerOptions {
    var transformer: TransformerOptions { get set }
}
extension ComposesTransformerOptions {
    public static var composed: WritableKeyPath<Self, TransformerOptions> { \.transformer }
}

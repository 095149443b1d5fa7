import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's attention layers. Their call arguments (`use_causal_mask`,
    /// `return_attention_scores`) are spec arguments; `attention_mask: <tensor>` is a
    /// tensor call argument the spec layer adds as the last input.
    /// The attention layers' call arguments: read from a spec layer, written by export
    /// into the call (inbound node kwargs), never into the layer's config.
    public static let attentionCallArguments: Set<String> = ["use_causal_mask", "return_attention_scores", "attention_mask"]

    /// The layers taking tensor call arguments by keyword (`attention_mask`).
    static let attentionLayers: Set<String> = ["MultiHeadAttention", "GroupedQueryAttention", "GroupQueryAttention"]

    static let attention: [Registry<any Layer>.Entry] = [
        .init(["MultiHeadAttention"], weights: .groups(["query_dense", "key_dense", "value_dense", "output_dense"],
                                                       empty: ["_dropout_layer", "_softmax"]), { o in
            let r = try o.reader()
            var c = MultiHeadAttention.Config(numHeads: try r.required("num_heads", .positiveInt), keyDim: try r.required("key_dim", .positiveInt))
            c.valueDim = try r.positiveInt("value_dim")
            c.dropout = Float(try r.doubleInRange("dropout", 0, 1, default: Double(c.dropout)))
            if try r.bool("use_gate", default: false) { throw r.error("use_gate: true (gated attention) is not supported", key: "use_gate") }
            if r.node("sliding_window").map({ !$0.isNull }) ?? false {
                throw r.error("sliding_window is not supported (only null)", key: "sliding_window")
            }
            r.markUsed("sliding_window")
            if let shape = try r.shape("output_shape") {
                guard shape.count == 1 else { throw r.error("output_shape must be one integer (a multi-axis output_shape is not supported), got \(shape)", key: "output_shape") }
                c.outputShape = shape[0]
            }
            c.attentionAxes = try r.value("attention_axes", .list(of: "integers", allowScalar: true) { _ in true })
            c.weightOptions = try WeightOptions.read(r, defaults: c.weightOptions, activation: { _, _, d in d })
            c.seed = try r.nonNegativeInt("seed")
            _ = try r.bool("flash_attention")
            c.useCausalMask = try r.bool("use_causal_mask", default: false)
            c.returnAttentionScores = try r.bool("return_attention_scores", default: false)
            c.attentionMaskInput = o.callTensors.contains("attention_mask")
            try r.finish()
            return MultiHeadAttention(c)
        }),
        // keras_hub's learned positions (`keras_hub.layers.PositionEmbedding`).
        .init(["PositionEmbedding"], main: "sequence_length", { o in
            let r = try o.reader()
            var c = PositionEmbedding.Config(sequenceLength: try r.required("sequence_length", .positiveInt))
            c.initializer = try InitializerRegistry.read(r, "initializer", default: c.initializer)
            try r.finish()
            return PositionEmbedding(c)
        }),
        // keras_hub's token embedding plus learned positions.
        .init(["TokenAndPositionEmbedding"], weights: .groups(["token_embedding", "position_embedding"]), { o in
            let r = try o.reader()
            var c = TokenAndPositionEmbedding.Config(vocabularySize: try r.required("vocabulary_size", .positiveInt),
                                                     sequenceLength: try r.required("sequence_length", .positiveInt),
                                                     embeddingDim: try r.required("embedding_dim", .positiveInt))
            c.tieWeights = try r.bool("tie_weights", default: c.tieWeights)
            c.embeddingsInitializer = try InitializerRegistry.read(r, "embeddings_initializer", default: c.embeddingsInitializer)
            c.maskZero = try r.bool("mask_zero", default: c.maskZero)
            try r.finish()
            return TokenAndPositionEmbedding(c)
        }),
        // keras_hub's encoder block; it takes the padding mask from its input's Keras mask
        // (no padding_mask / attention_mask call arguments).
        .init(["TransformerEncoder"], weights: .groups([
            .init("_self_attention_layer", count: 8, className: "MultiHeadAttention"), .init("_self_attention_layer_norm", count: 2),
            .init("_feedforward_layer_norm", count: 2), .init("_feedforward_intermediate_dense", count: 2),
            .init("_feedforward_output_dense", count: 2),
        ], empty: ["_self_attention_dropout", "_feedforward_dropout"]), { o in
            let r = try o.reader()
            let c = try TransformerOptions.read(r)
            try r.finish()
            return TransformerEncoder(c)
        }),
    ]
}

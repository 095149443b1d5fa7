import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// keras_hub's SinePositionEncoding and TransformerDecoder (the encoder, sharing the
    /// decoder's arguments through `TransformerOptions.read`, sits with the attention layers).
    static let transformer: [Registry<any Layer>.Entry] = [
        // The fixed encoding, added to the input by the user (`Add`), as keras_hub does.
        .init(["SinePositionEncoding"], main: "max_wavelength", { o in
            let r = try o.reader()
            let c = SinePositionEncoding.Config(maxWavelength: Float(try r.doubleInRange("max_wavelength", 0, .infinity, lowerInclusive: false,
                                                                                         default: 10000)))
            try r.finish()
            return SinePositionEncoding(c)
        }),
        // Called with decoder_sequence[, encoder_sequence]; use_causal_mask is a spec (call)
        // argument. No padding/attention masks or caches yet.
        .init(["TransformerDecoder"], weights: .groups([
            .init("_self_attention_layer", count: 8, className: "MultiHeadAttention"), .init("_self_attention_layer_norm", count: 2),
            .init("_cross_attention_layer", count: 8, className: "MultiHeadAttention", optional: true),
            .init("_cross_attention_layer_norm", count: 2, optional: true),
            .init("_feedforward_intermediate_dense", count: 2), .init("_feedforward_output_dense", count: 2),
            .init("_feedforward_layer_norm", count: 2),
        ], empty: ["_self_attention_dropout", "_feedforward_dropout"]), { o in
            let r = try o.reader()
            var c = TransformerDecoder.Config(try TransformerOptions.read(r))
            // keras_hub records the shapes it was built with; kerasctl takes them from the inputs.
            r.markUsed("decoder_sequence_shape"); r.markUsed("encoder_sequence_shape")
            c.useCausalMask = try r.bool("use_causal_mask", default: c.useCausalMask)
            try r.finish()
            return TransformerDecoder(c)
        }),
    ]
}

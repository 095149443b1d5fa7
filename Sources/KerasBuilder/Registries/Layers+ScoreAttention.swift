import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's single-head attention layers, called on `[query, value]` or
    /// `[query, value, key]` (`inputs: [q, v]` in a spec), with the call arguments
    /// `use_causal_mask` and `return_attention_scores` as spec arguments.
    static let scoreAttention: [Registry<any Layer>.Entry] = [
        .init(["Attention"], { o in
            let r = try o.reader()
            var c = Attention.Config()
            c.options = try readScoreAttentionOptions(r, defaults: c.options)
            c.scoreMode = Attention.ScoreMode(rawValue: try r.oneOf("score_mode", Attention.ScoreMode.allCases.map(\.rawValue),
                                                                     default: c.scoreMode.rawValue)) ?? c.scoreMode
            try r.finish()
            return Attention(c)
        }),
        .init(["AdditiveAttention"], { o in
            let r = try o.reader()
            var c = AdditiveAttention.Config()
            c.options = try readScoreAttentionOptions(r, defaults: c.options)
            try r.finish()
            return AdditiveAttention(c)
        }),
        // keras.layers.GroupQueryAttention (what Keras writes), the class GroupedQueryAttention.
        .init(["GroupQueryAttention", "GroupedQueryAttention"],
              weights: .groups(["_query_dense", "_key_dense", "_value_dense", "_output_dense"], empty: ["_dropout_layer", "_softmax"]), { o in
            let r = try o.reader()
            var c = GroupQueryAttention.Config(headDim: try r.required("head_dim", .positiveInt),
                                               numQueryHeads: try r.required("num_query_heads", .positiveInt),
                                               numKeyValueHeads: try r.required("num_key_value_heads", .positiveInt))
            guard c.numQueryHeads % c.numKeyValueHeads == 0 else {
                throw r.error("`num_query_heads` must be divisible by `num_key_value_heads`, got \(c.numQueryHeads) and \(c.numKeyValueHeads)",
                              key: "num_key_value_heads")
            }
            c.dropout = Float(try r.doubleInRange("dropout", 0, 1, upperInclusive: false, default: Double(c.dropout)))
            if try r.bool("use_gate", default: false) { throw r.error("use_gate: true (gated attention) is not supported", key: "use_gate") }
            if r.node("sliding_window").map({ !$0.isNull }) ?? false {
                throw r.error("sliding_window is not supported (only null)", key: "sliding_window")
            }
            r.markUsed("sliding_window")
            c.weightOptions = try WeightOptions.read(r, defaults: c.weightOptions, activation: { _, _, d in d })
            c.seed = try r.nonNegativeInt("seed")
            _ = try r.bool("flash_attention")   // accepted: kerasctl has one attention kernel
            c.useCausalMask = try r.bool("use_causal_mask", default: false)
            c.returnAttentionScores = try r.bool("return_attention_scores", default: false)
            c.attentionMaskInput = o.callTensors.contains("attention_mask")
            try r.finish()
            return GroupQueryAttention(c)
        }),
    ]

    /// use_scale, dropout, seed and the call arguments of `Attention`/`AdditiveAttention`.
    static func readScoreAttentionOptions(_ r: ArgReader, defaults: ScoreAttention.Options) throws -> ScoreAttention.Options {
        var o = defaults
        o.useScale = try r.bool("use_scale", default: o.useScale)
        o.dropout = Float(try r.doubleInRange("dropout", 0, 1, upperInclusive: false, default: Double(o.dropout)))
        o.seed = try r.nonNegativeInt("seed")
        o.useCausalMask = try r.bool("use_causal_mask", default: false)
        o.returnAttentionScores = try r.bool("return_attention_scores", default: false)
        return o
    }
}

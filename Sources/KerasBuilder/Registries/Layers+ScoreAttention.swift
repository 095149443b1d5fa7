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

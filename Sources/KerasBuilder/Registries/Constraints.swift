import KerasEngine
import KerasSpec

/// Keras 3 weight constraints (`keras.constraints`): class names and their snake-case
/// aliases, with Keras's arguments and defaults. `axis` is an integer or a list of them.
/// Layers read them for their `*_constraint` arguments (`kernel_constraint`,
/// `bias_constraint`, `recurrent_constraint`, `depthwise_constraint`,
/// `pointwise_constraint`, `gamma_constraint`, `beta_constraint`,
/// `embeddings_constraint`, `alpha_constraint`); the optimizer applies them after each
/// update.
public enum ConstraintRegistry {
    public static let table = Registry<any Constraint>(kind: "constraint", [
        .init(["MaxNorm", "max_norm"], main: "max_value", { o in
            let r = try o.reader()
            let d = MaxNorm()
            let v = try r.double("max_value", default: Double(d.maxValue))
            let axis = try r.value("axis", .intOrList) ?? d.axis
            try r.finish()
            return MaxNorm(maxValue: Float(v), axis: axis)
        }),
        .init(["NonNeg", "non_neg"], plain(NonNeg())),
        .init(["UnitNorm", "unit_norm"], main: "axis", { o in
            let r = try o.reader()
            let axis = try r.value("axis", .intOrList) ?? UnitNorm().axis
            try r.finish()
            return UnitNorm(axis: axis)
        }),
        .init(["MinMaxNorm", "min_max_norm"], { o in
            let r = try o.reader()
            let d = MinMaxNorm()
            let lo = try r.double("min_value", default: Double(d.minValue))
            let hi = try r.double("max_value", default: Double(d.maxValue))
            let rate = try r.double("rate", default: Double(d.rate))
            let axis = try r.value("axis", .intOrList) ?? d.axis
            try r.finish()
            return MinMaxNorm(minValue: Float(lo), maxValue: Float(hi), rate: Float(rate), axis: axis)
        }),
    ])

    /// Reads `key` of `reader` as a constraint; nil when absent or `null`.
    static func read(_ reader: ArgReader, _ key: String) throws -> (any Constraint)? {
        guard let o = try reader.object(key) else { return nil }
        return try table.make(o)
    }
}

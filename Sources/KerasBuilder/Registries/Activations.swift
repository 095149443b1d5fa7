import KerasEngine
import KerasSpec

/// Keras 3 activation names (and their arguments, in the map form `{relu: {max_value: 6}}`).
public enum ActivationRegistry {
    public static let table = Registry<Activation>(kind: "activation", [
        .init(["linear"], plain(.linear)),
        .init(["relu"], { o in
            let r = try o.reader()
            let slope = try r.double("negative_slope", default: 0)
            let maxValue = try r.double("max_value")
            let threshold = try r.double("threshold", default: 0)
            try r.finish()
            return .relu(negativeSlope: Float(slope), maxValue: maxValue.map(Float.init), threshold: Float(threshold))
        }),
        .init(["leaky_relu"], main: "negative_slope", { o in
            let r = try o.reader()
            let s = try r.double("negative_slope", default: 0.2); try r.finish()
            return .leakyRelu(negativeSlope: Float(s))
        }),
        .init(["relu6"], plain(.relu6)),
        .init(["elu"], main: "alpha", { o in
            let r = try o.reader()
            let a = try r.double("alpha", default: 1); try r.finish()
            return .elu(alpha: Float(a))
        }),
        .init(["selu"], plain(.selu)),
        .init(["gelu"], main: "approximate", { o in
            let r = try o.reader()
            let a = try r.bool("approximate", default: false); try r.finish()
            return .gelu(approximate: a)
        }),
        .init(["silu", "swish"], plain(.silu)),
        .init(["mish"], plain(.mish)),
        .init(["softplus"], plain(.softplus)),
        .init(["softsign"], plain(.softsign)),
        .init(["tanh"], plain(.tanh)),
        .init(["sigmoid"], plain(.sigmoid)),
        .init(["hard_sigmoid"], plain(.hardSigmoid)),
        .init(["hard_silu", "hard_swish"], plain(.hardSilu)),
        .init(["exponential"], plain(.exponential)),
        .init(["softmax"], main: "axis", { o in
            let r = try o.reader()
            let a = try r.int("axis", default: -1); try r.finish()
            return .softmax(axis: a)
        }),
        .init(["log_softmax"], main: "axis", { o in
            let r = try o.reader()
            let a = try r.int("axis", default: -1); try r.finish()
            return .logSoftmax(axis: a)
        }),
    ])

    /// Reads `key` of `reader` as an activation (default `linear`, as Keras's layers).
    static func read(_ reader: ArgReader, _ key: String = "activation", default value: Activation = .linear) throws -> Activation {
        guard let o = try reader.object(key) else { return value }
        return try table.make(o)
    }
}

import KerasEngine
import KerasSpec

/// Keras 3 activation names (and their arguments, in the map form `{relu: {max_value: 6}}`).
public enum ActivationRegistry {
    nonisolated(unsafe) public static var table = Registry<Activation>(kind: "activation", [
        (["linear"], plain(.linear)),
        (["relu"], { o in
            let r = try o.reader()
            let slope = try r.double("negative_slope", default: 0)
            let maxValue = try r.double("max_value")
            let threshold = try r.double("threshold", default: 0)
            try r.finish()
            return .relu(negativeSlope: Float(slope), maxValue: maxValue.map(Float.init), threshold: Float(threshold))
        }),
        (["leaky_relu"], { o in
            let r = try o.reader(mainArgument: "negative_slope")
            let s = try r.double("negative_slope", default: 0.2); try r.finish()
            return .leakyRelu(negativeSlope: Float(s))
        }),
        (["relu6"], plain(.relu6)),
        (["elu"], { o in
            let r = try o.reader(mainArgument: "alpha")
            let a = try r.double("alpha", default: 1); try r.finish()
            return .elu(alpha: Float(a))
        }),
        (["selu"], plain(.selu)),
        (["gelu"], { o in
            let r = try o.reader(mainArgument: "approximate")
            let a = try r.bool("approximate", default: false); try r.finish()
            return .gelu(approximate: a)
        }),
        (["silu", "swish"], plain(.silu)),
        (["mish"], plain(.mish)),
        (["softplus"], plain(.softplus)),
        (["softsign"], plain(.softsign)),
        (["tanh"], plain(.tanh)),
        (["sigmoid"], plain(.sigmoid)),
        (["hard_sigmoid"], plain(.hardSigmoid)),
        (["hard_silu", "hard_swish"], plain(.hardSilu)),
        (["exponential"], plain(.exponential)),
        (["softmax"], { o in
            let r = try o.reader(mainArgument: "axis")
            let a = try r.int("axis", default: -1); try r.finish()
            return .softmax(axis: a)
        }),
        (["log_softmax"], { o in
            let r = try o.reader(mainArgument: "axis")
            let a = try r.int("axis", default: -1); try r.finish()
            return .logSoftmax(axis: a)
        }),
    ])

    static func plain(_ a: Activation) -> Registry<Activation>.Maker {
        { o in let r = try o.reader(); try r.finish(); return a }
    }

    /// Reads `key` of `reader` as an activation (default `linear`, as Keras's layers).
    static func read(_ reader: ArgReader, _ key: String = "activation", default value: Activation = .linear) throws -> Activation {
        guard let o = try reader.object(key) else { return value }
        return try table.make(o)
    }
}

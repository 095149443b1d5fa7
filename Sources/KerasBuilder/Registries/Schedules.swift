import KerasEngine
import KerasSpec

/// Keras learning-rate schedules by class name, with Keras's arguments and defaults.
public enum ScheduleRegistry {
    public static let table = Registry<any LearningRateSchedule>(kind: "learning rate schedule", [
        .init(["ExponentialDecay"], { o in
            let r = try o.reader()
            let (lr, steps, rate) = (try r.required("initial_learning_rate", .double), try r.required("decay_steps", .double), try r.required("decay_rate", .double))
            let stair = try r.bool("staircase", default: false); try r.finish()
            return try located(o) { try ExponentialDecay(initialLearningRate: lr, decaySteps: steps, decayRate: rate, staircase: stair) }
        }),
        .init(["InverseTimeDecay"], { o in
            let r = try o.reader()
            let (lr, steps, rate) = (try r.required("initial_learning_rate", .double), try r.required("decay_steps", .double), try r.required("decay_rate", .double))
            let stair = try r.bool("staircase", default: false); try r.finish()
            return try located(o) { try InverseTimeDecay(initialLearningRate: lr, decaySteps: steps, decayRate: rate, staircase: stair) }
        }),
        .init(["PolynomialDecay"], { o in
            let r = try o.reader()
            let lr = try r.required("initial_learning_rate", .double), steps = try r.required("decay_steps", .double)
            let end = try r.double("end_learning_rate", default: 0.0001), power = try r.double("power", default: 1)
            let cycle = try r.bool("cycle", default: false); try r.finish()
            return try located(o) { try PolynomialDecay(initialLearningRate: lr, decaySteps: steps, endLearningRate: end, power: power, cycle: cycle) }
        }),
        .init(["PiecewiseConstantDecay"], { o in
            let r = try o.reader()
            let b = try r.required("boundaries", .doubleList), v = try r.required("values", .doubleList)
            try r.finish()
            return try located(o) { try PiecewiseConstantDecay(boundaries: b, values: v) }
        }),
        .init(["CosineDecay"], { o in
            let r = try o.reader()
            let lr = try r.required("initial_learning_rate", .double), steps = try r.required("decay_steps", .double)
            let alpha = try r.double("alpha", default: 0), target = try r.double("warmup_target")
            let warm = try r.double("warmup_steps", default: 0); try r.finish()
            return try located(o) { try CosineDecay(initialLearningRate: lr, decaySteps: steps, alpha: alpha, warmupTarget: target, warmupSteps: warm) }
        }),
        .init(["CosineDecayRestarts"], { o in
            let r = try o.reader()
            let lr = try r.required("initial_learning_rate", .double), steps = try r.required("first_decay_steps", .double)
            let t = try r.double("t_mul", default: 2), m = try r.double("m_mul", default: 1), alpha = try r.double("alpha", default: 0)
            try r.finish()
            return try located(o) { try CosineDecayRestarts(initialLearningRate: lr, firstDecaySteps: steps, tMul: t, mMul: m, alpha: alpha) }
        }),
    ])
}

import KerasEngine
import KerasSpec

/// Keras optimizer class names and aliases, with the arguments every optimizer shares
/// (learning_rate — a number or a schedule —, clipnorm, clipvalue, global_clipnorm,
/// weight_decay) read in one place.
public enum OptimizerRegistry {
    nonisolated(unsafe) public static var table = Registry<Optimizer>(kind: "optimizer", [
        (["RMSprop", "rmsprop"], { o in
            try make(o, defaultLearningRate: 0.001) { r in
                RMSprop(rho: Float(try r.double("rho", default: 0.9)), momentum: Float(try r.double("momentum", default: 0)),
                        epsilon: Float(try r.double("epsilon", default: 1e-7)), centered: try r.bool("centered", default: false))
            }
        }),
    ])

    /// Reads the shared arguments, then the rule's own through `rule`.
    static func make(_ o: ObjectSpec, defaultLearningRate: Double, weightDecayDefault: Double? = nil,
                     _ rule: (ArgReader) throws -> any UpdateRule) throws -> Optimizer {
        let r = try o.reader(mainArgument: "learning_rate")
        let lr = try learningRate(r, default: defaultLearningRate)
        let clipnorm = try positive(r, "clipnorm"), clipvalue = try positive(r, "clipvalue")
        let global = try positive(r, "global_clipnorm")
        let wd = try r.double("weight_decay") ?? weightDecayDefault
        let u = try rule(r)
        try r.finish()
        if [clipnorm, global].compactMap({ $0 }).count + (clipvalue == nil ? 0 : 1) > 1 {
            throw o.error("only one of clipnorm, clipvalue and global_clipnorm can be set (as in Keras)")
        }
        return Optimizer(u, learningRate: lr, clipnorm: clipnorm.map(Float.init), clipvalue: clipvalue.map(Float.init),
                         globalClipnorm: global.map(Float.init), weightDecay: wd.map(Float.init))
    }

    static func positive(_ r: ArgReader, _ key: String) throws -> Double? {
        guard let v = try r.double(key) else { return nil }
        guard v > 0 else { throw r.error("\(key) must be positive, got \(v)", key: key) }
        return v
    }

    /// `learning_rate`: a positive number or a schedule object.
    static func learningRate(_ r: ArgReader, default value: Double) throws -> any LearningRateSchedule {
        guard let node = r.node("learning_rate"), !node.isNull else { return ConstantLearningRate(Float(value)) }
        if node.scalar != nil, let v = try r.double("learning_rate") {
            guard v > 0, v.isFinite else { throw r.error("learning_rate must be a positive number, got \(v)", key: "learning_rate") }
            return ConstantLearningRate(Float(v))
        }
        guard let o = try r.object("learning_rate") else { return ConstantLearningRate(Float(value)) }
        return try ScheduleRegistry.table.make(o)
    }
}

/// Keras learning-rate schedules by class name.
public enum ScheduleRegistry {
    nonisolated(unsafe) public static var table = Registry<any LearningRateSchedule>(kind: "learning rate schedule", [])
}

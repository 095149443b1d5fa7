import KerasEngine
import KerasSpec

/// Keras optimizer class names and aliases (`Adam`/`adam`, ...), built from the engine's
/// `OptimizerCatalog`. The arguments every optimizer shares — learning_rate (a number or
/// a schedule), clipnorm, clipvalue, global_clipnorm, weight_decay — are read here once;
/// each class's own arguments come from its Keras defaults table.
public enum OptimizerRegistry {
    public static let table = Registry<Optimizer>(kind: "optimizer", OptimizerCatalog.all.map { entry in
        .init([entry.className, entry.alias], main: "learning_rate", { o in try make(o, entry) })
    })

    static func make(_ o: ObjectSpec, _ entry: OptimizerEntry) throws -> Optimizer {
        let r = try o.reader()
        let lr = try learningRate(r, default: Double(entry.defaultLearningRate))
        let clipnorm = try positive(r, "clipnorm"), clipvalue = try positive(r, "clipvalue")
        let global = try positive(r, "global_clipnorm")
        let wd = try r.double("weight_decay").map(Float.init) ?? entry.defaultWeightDecay
        var args: [(name: String, value: KerasValue)] = []
        for (name, def) in entry.arguments where r.has(name) {
            switch def {
            case .bool: args.append((name, .bool(try r.required(name, .bool))))
            case .string: args.append((name, .string(try r.required(name, .string))))
            case .number, .none:
                if let v = try r.double(name) { args.append((name, .number(v))) } else { args.append((name, .none)) }
            }
        }
        try r.finish(alsoKnown: entry.arguments.map(\.name))
        return try located(o) {
            try Optimizer.validated(try entry.make(args), learningRate: lr, clipnorm: clipnorm.map(Float.init),
                                    clipvalue: clipvalue.map(Float.init), globalClipnorm: global.map(Float.init), weightDecay: wd)
        }
    }

    static func positive(_ r: ArgReader, _ key: String) throws -> Double? {
        guard let v = try r.double(key) else { return nil }
        guard v > 0, v.isFinite else { throw r.error("\(key) must be a positive number, got \(v)", key: key) }
        return v
    }

    /// `learning_rate`: a positive number or a schedule object.
    static func learningRate(_ r: ArgReader, default value: Double) throws -> any LearningRateSchedule {
        guard let node = r.node("learning_rate"), !node.isNull else { return ConstantLearningRate(Float(value)) }
        switch node.scalar?.value {
        case .int?, .float?:
            let v = try r.required("learning_rate", .double)
            guard v > 0, v.isFinite else { throw r.error("learning_rate must be a positive number, got \(v)", key: "learning_rate") }
            return ConstantLearningRate(Float(v))
        default: break
        }
        guard let o = try r.object("learning_rate") else { return ConstantLearningRate(Float(value)) }
        return try ScheduleRegistry.table.make(o)
    }
}

/// One Keras optimizer class: its names, Keras's defaults, and a maker from Keras arguments.
public struct OptimizerEntry {
    /// Keras class name (`Adam`) and string alias (`adam`).
    public let className: String, alias: String
    public let defaultLearningRate: Float
    public let defaultWeightDecay: Float?
    /// The class's own arguments with Keras's defaults, in Keras's order (base arguments
    /// are in `OptimizerCatalog.baseArguments`).
    public let arguments: [(name: String, value: KerasValue)]
    /// Builds the update rule from (a subset of) `arguments`; throws on an unknown name,
    /// a value of the wrong kind or one Keras rejects.
    public let make: ([(name: String, value: KerasValue)]) throws -> any UpdateRule
}

/// The table of Keras 3 optimizers, derived from each rule's `Config` (where the defaults
/// are written).
public enum OptimizerCatalog {
    /// Keras's base `Optimizer` arguments this engine honours, with their defaults
    /// (learning_rate's default is per class: `OptimizerEntry.defaultLearningRate`).
    public static let baseArguments: [(name: String, value: KerasValue)] = [
        ("weight_decay", .none), ("clipnorm", .none), ("clipvalue", .none), ("global_clipnorm", .none),
        ("gradient_accumulation_steps", .none),
    ]

    public static var all: [OptimizerEntry] {
        [
            entry(SGD.self) { try SGD($0) },
            entry(RMSprop.self) { RMSprop($0) },
            entry(Adam.self) { Adam($0) },
            entry(AdamW.self) { AdamW($0) },
            entry(Adagrad.self) { Adagrad($0) },
            entry(Adadelta.self) { Adadelta($0) },
            entry(Adamax.self) { Adamax($0) },
            entry(Nadam.self) { Nadam($0) },
            entry(Lion.self) { try Lion($0) },
            entry(Ftrl.self) { try Ftrl($0) },
            entry(Lamb.self) { Lamb($0) },
            entry(Adafactor.self) { Adafactor($0) },
        ]
    }

    /// The entry whose class name or alias is `name` (Keras's `optimizers.get` lookup).
    public static func entry(named name: String) -> OptimizerEntry? {
        all.first { $0.className == name || $0.alias == name || $0.className.lowercased() == name.lowercased() }
    }

    /// The entry of rule `R`: Keras's class name is the Swift class name, its alias that
    /// name lowercased (`Adam`/`adam`, `RMSprop`/`rmsprop`).
    private static func entry<R: UpdateRule & AnyObject>(
        _ rule: R.Type, _ build: @escaping (R.Config) throws -> any UpdateRule
    ) -> OptimizerEntry where R: HasKerasConfig {
        let className = String(describing: R.self)
        return OptimizerEntry(className: className, alias: className.lowercased(), defaultLearningRate: R.defaultLearningRate,
                              defaultWeightDecay: R.defaultWeightDecay, arguments: R.Config.kerasDefaults,
                              make: { args in
                                  var c = R.Config()
                                  for (k, v) in args { try c.set(k, v, owner: className) }
                                  return try build(c)
                              })
    }
}

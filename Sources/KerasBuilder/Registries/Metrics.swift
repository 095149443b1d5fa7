import KerasEngine
import KerasSpec

/// Keras metric class names and aliases. `accuracy`/`acc` resolve as Keras does, from
/// the shapes of targets and predictions (see `make(_:loss:targetShape:outputShape:)`).
public enum MetricRegistry {
    public typealias Maker = (ObjectSpec, MetricContext) throws -> any Metric

    /// What a metric may depend on: the output's loss and shapes.
    public struct MetricContext {
        public var lossName: String?
        public var targetShape: [Int]?
        public var outputShape: [Int]
    }

    nonisolated(unsafe) static var makers: [(names: [String], make: Maker)] = [
        (["accuracy", "acc"], { o, ctx in
            try noArgs(o)
            return SparseCategoricalAccuracy(name: "accuracy")
        }),
        (["SparseCategoricalAccuracy", "sparse_categorical_accuracy"], { o, _ in
            try noArgs(o); return SparseCategoricalAccuracy()
        }),
    ]

    static func noArgs(_ o: ObjectSpec) throws { let r = try o.reader(); try r.finish() }

    public static func make(_ o: ObjectSpec, context: MetricContext) throws -> any Metric {
        guard let entry = makers.first(where: { $0.names.contains(o.name) }) else {
            var m = "unknown metric '\(o.name)'"
            let all = makers.flatMap(\.names)
            if let g = suggest(o.name, among: all) { m += "; did you mean '\(g)'?" } else { m += " (known: \(makers.map { $0.names[0] }.joined(separator: ", ")))" }
            throw o.nameNode.error(m, path: o.path)
        }
        return try entry.make(o, context)
    }
}

import KerasEngine
import KerasSpec
import KerasText

/// Keras metrics. A bare name resolves as Keras 3's `compile` does
/// (`accuracy`/`acc` from the target and output shapes; other names by class name,
/// snake_case name or alias); metrics with arguments use the map form, e.g.
/// `{TopKCategoricalAccuracy: {k: 3}}`.
public enum MetricRegistry {
    /// What a metric may depend on: the output's loss and shapes (batch axis excluded).
    public struct MetricContext {
        public var lossName: String?
        public var targetShape: [Int]?
        public var outputShape: [Int]
    }

    public static func make(_ o: ObjectSpec, context: MetricContext) throws -> any Metric {
        // Targets default to what the loss expects: class indices for sparse losses.
        let target = context.targetShape ?? (context.lossName?.hasPrefix("sparse") == true ? Array(context.outputShape.dropLast()) : context.outputShape)
        if let args = o.args, args.scalar != nil || args.entries != nil {
            return try withArguments(o)
        }
        do {
            return try CompileResolution.metric(o.name, targetShape: target, outputShape: context.outputShape)
        } catch let e as UnknownMetricError {
            throw o.error(unknownName("unknown metric '\(o.name)'", o.name, among: e.known, otherwise: " (known: \(e.known.joined(separator: ", ")))"),
                          at: o.nameNode)
        }
    }

    static func withArguments(_ o: ObjectSpec) throws -> any Metric {
        switch o.name {
        case "TopKCategoricalAccuracy", "top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy":
            let r = try o.reader(mainArgument: "k")
            let k = try r.positiveInt("k", default: 5), name = try r.string("name"); try r.finish()
            return o.name.lowercased().hasPrefix("sparse")
                ? SparseTopKCategoricalAccuracy(k: k, name: name ?? "sparse_top_k_categorical_accuracy")
                : TopKCategoricalAccuracy(k: k, name: name ?? "top_k_categorical_accuracy")
        case "BinaryAccuracy", "binary_accuracy":
            let r = try o.reader(mainArgument: "threshold")
            let t = try r.double("threshold", default: 0.5), name = try r.string("name"); try r.finish()
            return BinaryAccuracy(name: name ?? "binary_accuracy", threshold: Float(t))
        case "Precision", "precision", "Recall", "recall":
            let r = try o.reader()
            let t = try r.doubleInRange("thresholds", 0, 1), k = try r.positiveInt("top_k"), c = try r.nonNegativeInt("class_id")
            let name = try r.string("name"); try r.finish()
            return o.name.lowercased() == "precision"
                ? Precision(thresholds: t.map(Float.init), topK: k, classId: c, name: name ?? "precision")
                : Recall(thresholds: t.map(Float.init), topK: k, classId: c, name: name ?? "recall")
        default:
            throw o.error("metric '\(o.name)' takes no arguments here; write it as a bare name", at: o.args)
        }
    }
}

/// A metric name that names no Keras metric.
public struct UnknownMetricError: Error, CustomStringConvertible {
    public let name: String
    public let known: [String]
    public var description: String { "unknown metric '\(name)'; known: \(known.joined(separator: ", "))" }
}

/// How `Model.compile` turns strings into metrics and losses, as Keras 3's
/// `keras/src/trainers/compile_utils.py` (`get_metric`, `get_loss`,
/// `is_binary_or_sparse_categorical`). Shapes here are per example (batch axis excluded).
public enum CompileResolution {
    /// Keras's `is_binary_or_sparse_categorical`: binary when the output's last axis is 1;
    /// sparse when the targets have lower rank than the output, or a last axis of 1 against
    /// an output's last axis above 1. (A rank-0 example shape's last axis is the batch axis,
    /// unknown here, so it counts as neither 1 nor above 1.)
    public static func isBinaryOrSparseCategorical(targetShape: [Int], outputShape: [Int]) -> (isBinary: Bool, isSparseCategorical: Bool) {
        let tLast = targetShape.last, pLast = outputShape.last
        let isBinary = pLast == 1
        let isSparse = targetShape.count < outputShape.count || (tLast == 1 && (pLast ?? 0) > 1)
        return (isBinary, isSparse)
    }

    /// Keras's `get_metric` for a string: `"accuracy"`/`"acc"` (any case) become
    /// `BinaryAccuracy`, `SparseCategoricalAccuracy` or `CategoricalAccuracy` by the shapes
    /// (the loss plays no part in Keras 3); any other string is looked up among Keras's
    /// metric class names, their snake_case names and the aliases `mse`, `mae`, `mape`,
    /// `msle`, `bce` (and upper case). The metric is named exactly `identifier`, so its log
    /// key is the string the user wrote.
    public static func metric(_ identifier: String, targetShape: [Int], outputShape: [Int]) throws -> any Metric {
        if ["accuracy", "acc"].contains(identifier.lowercased()) {
            let (isBinary, isSparse) = isBinaryOrSparseCategorical(targetShape: targetShape, outputShape: outputShape)
            if isBinary { return BinaryAccuracy(name: identifier) }
            if isSparse { return SparseCategoricalAccuracy(name: identifier) }
            return CategoricalAccuracy(name: identifier)
        }
        guard let make = metricsByName[identifier] else {
            throw UnknownMetricError(name: identifier, known: metricIdentifiers)
        }
        return make(identifier)
    }

    /// Keras's `get_loss` for `"crossentropy"`/`"ce"` (any case): `binary_crossentropy`,
    /// `sparse_categorical_crossentropy` or `categorical_crossentropy` by the shapes, with
    /// default arguments, named `identifier`. Nil for any other string.
    public static func crossentropyLoss(_ identifier: String, targetShape: [Int], outputShape: [Int]) -> (any Loss)? {
        guard ["crossentropy", "ce"].contains(identifier.lowercased()) else { return nil }
        let (isBinary, isSparse) = isBinaryOrSparseCategorical(targetShape: targetShape, outputShape: outputShape)
        if isBinary { return BinaryCrossentropy(name: identifier) }
        if isSparse { return SparseCategoricalCrossentropy(name: identifier) }
        return CategoricalCrossentropy(name: identifier)
    }

    /// The log key Keras writes for a metric (or `"loss"`): prefixed with the output name
    /// when the model has several outputs, then with `val_` on validation data.
    public static func logKey(_ metricName: String, outputName: String, outputCount: Int, validation: Bool = false) -> String {
        let key = outputCount > 1 ? "\(outputName)_\(metricName)" : metricName
        return validation ? "val_" + key : key
    }

    /// Every string `metric(_:...)` accepts besides accuracy/acc, sorted.
    public static var metricIdentifiers: [String] { metricsByName.keys.sorted() }

    /// Keras's `ALL_OBJECTS_DICT` for the metrics implemented here: class name, snake_case
    /// name, aliases. Each maker receives the name to give the metric.
    static let metricsByName: [String: @Sendable (String) -> any Metric] = {
        let classes: [(String, String, @Sendable (String) -> any Metric)] = [
            ("Accuracy", "accuracy", { Accuracy(name: $0) }),
            ("BinaryAccuracy", "binary_accuracy", { BinaryAccuracy(name: $0) }),
            ("CategoricalAccuracy", "categorical_accuracy", { CategoricalAccuracy(name: $0) }),
            ("SparseCategoricalAccuracy", "sparse_categorical_accuracy", { SparseCategoricalAccuracy(name: $0) }),
            ("TopKCategoricalAccuracy", "top_k_categorical_accuracy", { TopKCategoricalAccuracy(name: $0) }),
            ("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", { SparseTopKCategoricalAccuracy(name: $0) }),
            ("MeanSquaredError", "mean_squared_error", { Metrics.meanSquaredError(name: $0) }),
            ("MeanAbsoluteError", "mean_absolute_error", { Metrics.meanAbsoluteError(name: $0) }),
            ("MeanAbsolutePercentageError", "mean_absolute_percentage_error", { Metrics.meanAbsolutePercentageError(name: $0) }),
            ("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", { Metrics.meanSquaredLogarithmicError(name: $0) }),
            ("RootMeanSquaredError", "root_mean_squared_error", { RootMeanSquaredError(name: $0) }),
            ("LogCoshError", "log_cosh_error", { Metrics.logCoshError(name: $0) }),
            ("CosineSimilarity", "cosine_similarity", { Metrics.cosineSimilarity(name: $0) }),
            ("BinaryCrossentropy", "binary_crossentropy", { Metrics.binaryCrossentropy(name: $0) }),
            ("CategoricalCrossentropy", "categorical_crossentropy", { Metrics.categoricalCrossentropy(name: $0) }),
            ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", { Metrics.sparseCategoricalCrossentropy(name: $0) }),
            ("Hinge", "hinge", { Metrics.hinge(name: $0) }),
            ("SquaredHinge", "squared_hinge", { Metrics.squaredHinge(name: $0) }),
            ("CategoricalHinge", "categorical_hinge", { Metrics.categoricalHinge(name: $0) }),
            ("KLDivergence", "kl_divergence", { Metrics.klDivergence(name: $0) }),
            ("Poisson", "poisson", { Metrics.poisson(name: $0) }),
            ("Precision", "precision", { Precision(name: $0) }),
            ("Recall", "recall", { Recall(name: $0) }),
            ("AUC", "auc", { AUC(name: $0) }),
        ]
        var table: [String: @Sendable (String) -> any Metric] = [:]
        for (cls, snake, make) in classes { table[cls] = make; table[snake] = make }
        let aliases = ["bce": "binary_crossentropy", "mse": "mean_squared_error", "mae": "mean_absolute_error",
                       "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error"]
        for (alias, target) in aliases { table[alias] = table[target]; table[alias.uppercased()] = table[target] }
        return table
    }()
}

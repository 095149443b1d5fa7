/// Keras's `mode` of a monitoring callback: which direction is an improvement.
public enum MonitorMode: String, Sendable, CaseIterable {
    /// Inferred from the monitored name (see `Monitor.resolve`).
    case auto, min, max
}

/// Whether a metric improves upwards (accuracy) or downwards (errors); Keras's `_direction`.
public enum MetricDirection: Sendable { case up, down }

/// A metric that states its direction (Keras sets `_direction` on its metrics). Metrics
/// that do not adopt this are looked up by name in `Monitor.kerasDirections`.
public protocol DirectedMetric: Metric {
    var direction: MetricDirection { get }
}

/// Why a callback cannot run.
public enum CallbackError: Error, CustomStringConvertible {
    case invalidArgument(callback: String, message: String)
    case failed(callback: String, message: String)
    public var description: String {
        switch self {
        case let .invalidArgument(c, m), let .failed(c, m): "\(c): \(m)"
        }
    }
}

/// Keras's `MonitorCallback` logic, shared by EarlyStopping, ReduceLROnPlateau and
/// ModelCheckpoint: an improvement is `current − min_delta > best` in max mode and
/// `current + min_delta < best` in min mode (compared in float32, as Keras's `ops`).
/// `auto` resolves on the first epoch end: `loss`/`val_loss` is min, otherwise the
/// direction of the model's metric with that name; a name it cannot place is an error.
public struct Monitor: Sendable {
    public let callback: String
    public let monitor: String
    public let mode: MonitorMode
    /// |min_delta|.
    public let minDelta: Double
    /// Resolved direction: true = higher is better.
    public private(set) var maximize: Bool?

    public init(callback: String, monitor: String, mode: MonitorMode, minDelta: Double) {
        self.callback = callback; self.monitor = monitor; self.mode = mode; self.minDelta = Swift.abs(minDelta)
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto: maximize = nil
        }
    }

    /// Resolves `auto` against the model's metrics (Keras's `_set_monitor_op`).
    public mutating func resolve(model: Model) throws {
        guard maximize == nil else { return }
        let name = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
        if name == "loss" { maximize = false; return }
        for (i, ms) in model.metrics.enumerated() {
            for m in ms where m.name == name || model.metricKey(i, m.name) == name {
                if let d = (m as? DirectedMetric)?.direction ?? Monitor.kerasDirections[m.name] { maximize = d == .up }
            }
        }
        guard maximize != nil else {
            throw CallbackError.invalidArgument(callback: callback, message:
                "monitor=\(monitor), but the direction of that metric cannot be determined automatically. "
                + "Pass mode: max to monitor the highest value, or mode: min to monitor the lowest value")
        }
    }

    /// Keras's `_is_improvement(current, reference)`; a nil reference is always beaten.
    public func isImprovement(_ current: Double, over reference: Double?) -> Bool {
        guard let reference else { return true }
        let up = maximize ?? false
        // Keras: monitor_op(current - min_delta, reference) with min_delta negated in min mode.
        let lhs = Float(up ? current - minDelta : current + minDelta)
        return up ? lhs > Float(reference) : lhs < Float(reference)
    }

    /// Directions of Keras's built-in metrics under their default names (`_direction`).
    public static let kerasDirections: [String: MetricDirection] = {
        var d: [String: MetricDirection] = [:]
        for n in ["accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                  "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall",
                  "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
                  "specificity_at_sensitivity", "f1_score", "fbeta_score", "iou", "io_u", "mean_io_u", "mean_iou",
                  "binary_io_u", "one_hot_io_u", "one_hot_mean_io_u", "pearson_correlation",
                  "concordance_correlation", "cosine_similarity", "r2_score"] { d[n] = .up }
        for n in ["mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
                  "mean_squared_logarithmic_error", "msle", "root_mean_squared_error", "logcosh", "log_cosh",
                  "hinge", "squared_hinge", "categorical_hinge", "binary_crossentropy", "categorical_crossentropy",
                  "sparse_categorical_crossentropy", "kl_divergence", "kld", "poisson"] { d[n] = .down }
        return d
    }()
}

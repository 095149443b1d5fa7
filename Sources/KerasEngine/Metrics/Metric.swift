/// A streaming Keras metric: `update` per batch, `result` for the epoch so far.
public protocol Metric: AnyObject {
    /// The name shown in logs (`accuracy`, `top_k_categorical_accuracy`, ...).
    var name: String { get }
    func reset()
    func update(yTrue: Tensor, yPred: Tensor)
    func result() -> Double
    /// The running totals and counts `result` is computed from, in a fixed order: summing
    /// them elementwise over several processes gives the metric of all their examples.
    /// Data-parallel training needs it; a metric without it (the default, empty) is refused there.
    var state: [Double] { get set }
}

extension Metric {
    public var state: [Double] {
        get { [] }
        set {}
    }
}

/// A weighted running mean (Keras `Mean`); the trainer uses it for the loss.
public final class MeanTracker {
    private var total: Double = 0
    private var weight: Double = 0
    public init() {}
    public func reset() { total = 0; weight = 0 }
    public func update(_ value: Double, weight w: Double = 1) { total += value * w; weight += w }
    public var result: Double { weight > 0 ? total / weight : 0 }
    /// Total and weight (see `Metric.state`).
    public var state: [Double] {
        get { [total, weight] }
        set { total = newValue[0]; weight = newValue[1] }
    }
}

/// Keras `Mean.update_state` on a batch of per-sample values: values of rank >= 1 are
/// averaged within each sample (axes after the first) and each sample counts once; a
/// scalar counts as one sample. Every sample here has the same number of values.
struct SampleMean {
    var total: Double = 0
    var count: Double = 0
    mutating func reset() { total = 0; count = 0 }

    /// Adds values of `shape` whose sum is `sum`.
    mutating func add(sum: Double, shape: [Int]) {
        guard let samples = shape.first else { total += sum; count += 1; return }
        guard samples > 0 else { return }
        let perSample = shape.reduce(1, *) / samples
        total += perSample > 0 ? sum / Double(perSample) : 0
        count += Double(samples)
    }

    /// Adds every value of `values`.
    mutating func add(_ values: Tensor) {
        var s = 0.0
        let p = values.pointer
        for i in 0..<values.count { s += Double(p[i]) }
        add(sum: s, shape: values.shape)
    }

    var result: Double { count > 0 ? total / count : 0 }
    var state: [Double] {
        get { [total, count] }
        set { total = newValue[0]; count = newValue[1] }
    }
}

/// Keras `MeanMetricWrapper` around a loss function: the mean over samples of the
/// per-example loss. Keras's metric classes `BinaryCrossentropy`, `CategoricalCrossentropy`,
/// `SparseCategoricalCrossentropy`, `Hinge`, `SquaredHinge`, `CategoricalHinge`,
/// `KLDivergence`, `Poisson`, `MeanAbsolutePercentageError`, `MeanSquaredLogarithmicError`
/// and `LogCoshError` are this wrapper around the loss of the same name (see `LossMetric.named`).
public final class LossMetric: Metric {
    public let name: String
    public let loss: any RowwiseLoss
    /// Multiplies each per-example value (Keras's `CosineSimilarity` metric is +cosine).
    public let sign: Float
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(_ loss: any RowwiseLoss, name: String, sign: Float = 1) { self.loss = loss; self.name = name; self.sign = sign }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let v = loss.perExample(yTrue, yPred)
        var s = 0.0
        let p = v.pointer
        for i in 0..<v.count { s += Double(p[i]) }
        mean.add(sum: Double(sign) * s, shape: v.shape)
    }
    public func result() -> Double { mean.result }
}

/// Keras's metric classes `MeanSquaredError` and `MeanAbsoluteError` (and the loss-based
/// ones) live in this namespace because the loss types own the bare names.
public enum Metrics {}

extension Metrics {
    /// Keras metric `MeanSquaredError`: mean over samples of `mean((y_true - y_pred)^2, axis=-1)`.
    public static func meanSquaredError(name: String = "mean_squared_error") -> LossMetric { LossMetric(KerasEngine.MeanSquaredError(), name: name) }
    /// Keras metric `MeanAbsoluteError`: mean over samples of `mean(|y_true - y_pred|, axis=-1)`.
    public static func meanAbsoluteError(name: String = "mean_absolute_error") -> LossMetric { LossMetric(KerasEngine.MeanAbsoluteError(), name: name) }
    /// Keras metric `MeanAbsolutePercentageError`.
    public static func meanAbsolutePercentageError(name: String = "mean_absolute_percentage_error") -> LossMetric { LossMetric(KerasEngine.MeanAbsolutePercentageError(), name: name) }
    /// Keras metric `MeanSquaredLogarithmicError`.
    public static func meanSquaredLogarithmicError(name: String = "mean_squared_logarithmic_error") -> LossMetric { LossMetric(KerasEngine.MeanSquaredLogarithmicError(), name: name) }
    /// Keras metric `LogCoshError` (Keras names it `logcosh`).
    public static func logCoshError(name: String = "logcosh") -> LossMetric { LossMetric(LogCosh(), name: name) }
    /// Keras metric `CosineSimilarity(axis=-1)`: mean cosine similarity (positive, unlike the loss).
    public static func cosineSimilarity(axis: Int = -1, name: String = "cosine_similarity") -> LossMetric { LossMetric(KerasEngine.CosineSimilarity(axis: axis), name: name, sign: -1) }
    /// Keras metric `BinaryCrossentropy(from_logits, label_smoothing)`.
    public static func binaryCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0, name: String = "binary_crossentropy") -> LossMetric {
        LossMetric(KerasEngine.BinaryCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing), name: name)
    }
    /// Keras metric `CategoricalCrossentropy(from_logits, label_smoothing)`.
    public static func categoricalCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0, name: String = "categorical_crossentropy") -> LossMetric {
        LossMetric(KerasEngine.CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing), name: name)
    }
    /// Keras metric `SparseCategoricalCrossentropy(from_logits)`.
    public static func sparseCategoricalCrossentropy(fromLogits: Bool = false, name: String = "sparse_categorical_crossentropy") -> LossMetric {
        LossMetric(KerasEngine.SparseCategoricalCrossentropy(fromLogits: fromLogits), name: name)
    }
    /// Keras metrics `Hinge`, `SquaredHinge`, `CategoricalHinge`, `KLDivergence`, `Poisson`.
    public static func hinge(name: String = "hinge") -> LossMetric { LossMetric(KerasEngine.Hinge(), name: name) }
    public static func squaredHinge(name: String = "squared_hinge") -> LossMetric { LossMetric(KerasEngine.SquaredHinge(), name: name) }
    public static func categoricalHinge(name: String = "categorical_hinge") -> LossMetric { LossMetric(KerasEngine.CategoricalHinge(), name: name) }
    public static func klDivergence(name: String = "kl_divergence") -> LossMetric { LossMetric(KerasEngine.KLDivergence(), name: name) }
    public static func poisson(name: String = "poisson") -> LossMetric { LossMetric(KerasEngine.Poisson(), name: name) }
}

// Keras's accuracy metrics (keras/src/metrics/accuracy_metrics.py): each computes a 0/1
// match per sample (or per element) and reports their mean over the samples seen.

/// The index of the largest of `n` values (the first on ties, as argmax).
@inline(__always)
func argmax(_ p: UnsafePointer<Float>, _ n: Int) -> Int {
    var best = 0
    for j in 1..<Swift.max(n, 1) where p[j] > p[best] { best = j }
    return best
}

/// The per-sample shape of values reduced over the last axis of `yPred`.
@inline(__always)
func rowShape(_ yPred: Tensor) -> [Int] { yPred.rank > 0 ? Array(yPred.shape.dropLast()) : [] }

/// Keras `Accuracy`: how often predictions equal targets exactly (elementwise).
public final class Accuracy: Metric {
    public let name: String
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(name: String = "accuracy") { self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for i in 0..<Swift.min(yTrue.count, yPred.count) where pt[i] == pp[i] { hits += 1 }
        mean.add(sum: Double(hits), shape: yPred.shape)
    }
    public func result() -> Double { mean.result }
}

/// Keras `BinaryAccuracy`: how often `(y_pred > threshold)` equals the 0/1 target, elementwise.
public final class BinaryAccuracy: Metric {
    public let name: String
    public let threshold: Float
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(name: String = "binary_accuracy", threshold: Float = 0.5) { self.name = name; self.threshold = threshold }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for i in 0..<Swift.min(yTrue.count, yPred.count) where pt[i] == (pp[i] > threshold ? 1 : 0) { hits += 1 }
        mean.add(sum: Double(hits), shape: yPred.shape)
    }
    public func result() -> Double { mean.result }
}

/// Keras `CategoricalAccuracy`: how often `argmax(y_pred) == argmax(y_true)` per row (one-hot targets).
public final class CategoricalAccuracy: Metric {
    public let name: String
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(name: String = "categorical_accuracy") { self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let c = Swift.max(yPred.shape.last ?? 1, 1), rows = yPred.count / c
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for r in 0..<rows where argmax(pt + r * c, c) == argmax(pp + r * c, c) { hits += 1 }
        mean.add(sum: Double(hits), shape: rowShape(yPred))
    }
    public func result() -> Double { mean.result }
}

/// Keras `SparseCategoricalAccuracy`: how often `argmax(y_pred)` equals the integer target.
public final class SparseCategoricalAccuracy: Metric {
    public let name: String
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(name: String = "sparse_categorical_accuracy") { self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let c = Swift.max(yPred.shape.last ?? 1, 1), rows = Swift.min(yPred.count / c, yTrue.count)
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for r in 0..<rows where Float(argmax(pp + r * c, c)) == pt[r] { hits += 1 }
        mean.add(sum: Double(hits), shape: rowShape(yPred))
    }
    public func result() -> Double { mean.result }
}

/// TensorFlow's `in_top_k`: the target's score is finite and fewer than `k` scores beat it
/// (ties at the boundary count as in).
@inline(__always)
func inTopK(_ p: UnsafePointer<Float>, _ n: Int, target: Int, k: Int) -> Bool {
    guard target >= 0 && target < n else { return false }
    let v = p[target]
    guard v.isFinite else { return false }
    var above = 0
    for j in 0..<n where p[j] > v { above += 1 }
    return above < k
}

/// Keras `TopKCategoricalAccuracy(k=5)`: how often the one-hot target's class is among the `k` highest predictions.
public final class TopKCategoricalAccuracy: Metric {
    public let name: String
    public let k: Int
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(k: Int = 5, name: String = "top_k_categorical_accuracy") { self.k = k; self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let c = Swift.max(yPred.shape.last ?? 1, 1), rows = yPred.count / c
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for r in 0..<rows where inTopK(pp + r * c, c, target: argmax(pt + r * c, c), k: k) { hits += 1 }
        mean.add(sum: Double(hits), shape: rowShape(yPred))
    }
    public func result() -> Double { mean.result }
}

/// Keras `SparseTopKCategoricalAccuracy(k=5)`: how often the integer target is among the `k` highest predictions.
public final class SparseTopKCategoricalAccuracy: Metric {
    public let name: String
    public let k: Int
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(k: Int = 5, name: String = "sparse_top_k_categorical_accuracy") { self.k = k; self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let c = Swift.max(yPred.shape.last ?? 1, 1), rows = Swift.min(yPred.count / c, yTrue.count)
        let pt = yTrue.pointer, pp = yPred.pointer
        var hits = 0
        for r in 0..<rows where inTopK(pp + r * c, c, target: classIndex(pt[r]), k: k) { hits += 1 }
        mean.add(sum: Double(hits), shape: rowShape(yPred))
    }
    public func result() -> Double { mean.result }
}

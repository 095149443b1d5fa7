/// A streaming Keras metric: `update` per batch, `result` for the epoch so far.
public protocol Metric: AnyObject {
    /// The name shown in logs (`accuracy`, `top_k_categorical_accuracy`, ...).
    var name: String { get }
    func reset()
    func update(yTrue: Tensor, yPred: Tensor)
    func result() -> Double
}

/// A weighted running mean (Keras `Mean`); the trainer uses it for the loss.
public final class MeanTracker {
    private var total: Double = 0
    private var weight: Double = 0
    public init() {}
    public func reset() { total = 0; weight = 0 }
    public func update(_ value: Double, weight w: Double = 1) { total += value * w; weight += w }
    public var result: Double { weight > 0 ? total / weight : 0 }
}

/// Keras `SparseCategoricalAccuracy`: argmax of the prediction equals the integer target.
public final class SparseCategoricalAccuracy: Metric {
    public let name: String
    private var hits = 0, seen = 0
    public init(name: String = "sparse_categorical_accuracy") { self.name = name }
    public func reset() { hits = 0; seen = 0 }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let c = yPred.shape.last ?? 1, rows = yPred.count / Swift.max(c, 1)
        let pt = yTrue.pointer, pp = yPred.pointer
        for r in 0..<rows {
            var best = 0
            for j in 1..<Swift.max(c, 1) where pp[r * c + j] > pp[r * c + best] { best = j }
            if best == Int(pt[r]) { hits += 1 }
        }
        seen += rows
    }
    public func result() -> Double { seen > 0 ? Double(hits) / Double(seen) : 0 }
}

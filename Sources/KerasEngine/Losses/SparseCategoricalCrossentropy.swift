#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `SparseCategoricalCrossentropy`: integer class targets (one per prediction row),
/// probability or logit predictions over the last axis.
///
/// Per row, `logsumexp(z) - z[y]` with `z = x` (`fromLogits`) or `z = log(clip(p, eps, 1 - eps))`
/// (so probabilities are implicitly renormalised). Rows whose label is `ignoreClass` count
/// zero and are left out of the mean (Keras divides by the number of valid rows).
/// Labels outside [0, classes) are clamped (TensorFlow raises on them).
public struct SparseCategoricalCrossentropy: RowwiseLoss {
    public var fromLogits: Bool
    public var ignoreClass: Int?
    public var axis: Int
    public var name: String
    public init(fromLogits: Bool = false, ignoreClass: Int? = nil, axis: Int = -1, name: String = "sparse_categorical_crossentropy") {
        self.fromLogits = fromLogits; self.ignoreClass = ignoreClass; self.axis = axis; self.name = name
    }

    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        try requireLastAxis(axis, rank: outputShape.count, name)
        let t = targetShape.reduce(1, *), o = outputShape.dropLast().reduce(1, *)
        guard t == o else {
            throw ShapeError(layer: name, "expects one class index per prediction row: targets \(kerasShape(targetShape)), output \(kerasShape(outputShape))")
        }
    }

    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (values, grad) = rowLosses(yTrue, yPred, gradient: yPred.isTracked)
        var divisor = values.count
        if let ig = ignoreClass {
            let pt = yTrue.pointer
            divisor = 0
            for r in 0..<yTrue.count where classIndex(pt[r]) != ig { divisor += 1 }
        }
        return reduceSumOverBatchSize(values, grad, yPred, divisor: divisor)
    }

    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        let c = Swift.max(yPred.shape.last ?? 1, 1), rows = yPred.count / c
        precondition(yTrue.count == rows, "expected \(rows) class labels, got \(yTrue.count)")
        let values = Tensor(uninitializedShape: yPred.rank > 0 ? Array(yPred.shape.dropLast()) : [])
        let grad: Tensor? = gradient ? Tensor(uninitializedShape: yPred.shape) : nil
        let pt = yTrue.pointer, pp = yPred.pointer, pv = values.freshPointer, pgAll = grad?.freshPointer
        let hi = 1 - kerasEpsilon
        for r in 0..<rows {
            let label = classIndex(pt[r]), x = pp + r * c, g = pgAll.map { $0 + r * c }
            if let ig = ignoreClass, label == ig {
                pv[r] = 0
                if let g { for j in 0..<c { g[j] = 0 } }
                continue
            }
            let y = Swift.min(Swift.max(label, 0), c - 1)
            if fromLogits {
                var m = -Float.infinity
                for j in 0..<c { m = Swift.max(m, x[j]) }
                var s: Float = 0
                for j in 0..<c { s += expf(x[j] - m) }
                pv[r] = logf(s) + m - x[y]
                if let g { for j in 0..<c { g[j] = expf(x[j] - m) / s - (j == y ? 1 : 0) } }
            } else {
                var s: Float = 0
                for j in 0..<c { s += Swift.min(Swift.max(x[j], kerasEpsilon), hi) }
                let py = Swift.min(Swift.max(x[y], kerasEpsilon), hi)
                pv[r] = logf(s) - logf(py)
                if let g {
                    for j in 0..<c {
                        let v = x[j]
                        g[j] = (v >= kerasEpsilon && v <= hi) ? 1 / s - (j == y ? 1 / py : 0) : 0
                    }
                }
            }
        }
        return (values, grad)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A Keras loss: a differentiable scalar from targets and predictions, reduced as Keras's
/// default `sum_over_batch_size` (the mean over every example's loss).
public protocol Loss {
    /// The Keras function name, e.g. `sparse_categorical_crossentropy`.
    var name: String { get }
    /// The batch loss; differentiable with respect to `yPred`.
    func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor
    /// Checks that targets of `targetShape` (per example) fit predictions of `outputShape`.
    func checkTargets(targetShape: [Int], outputShape: [Int]) throws
}

extension Loss {
    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        let t = targetShape.reduce(1, *), o = outputShape.reduce(1, *)
        guard t == o else {
            throw ShapeError(layer: name, "targets of shape \(kerasShape(targetShape)) do not match the model output \(kerasShape(outputShape))")
        }
    }
}

/// Keras's backend epsilon (1e-7), used to clip probabilities.
public let kerasEpsilon: Float = 1e-7

/// Keras `SparseCategoricalCrossentropy`: integer class targets, probability or logit
/// predictions over the last axis.
public struct SparseCategoricalCrossentropy: Loss {
    public var fromLogits: Bool
    public var ignoreClass: Int?
    public init(fromLogits: Bool = false, ignoreClass: Int? = nil) { self.fromLogits = fromLogits; self.ignoreClass = ignoreClass }
    public var name: String { "sparse_categorical_crossentropy" }

    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        let t = targetShape.reduce(1, *), o = outputShape.dropLast().reduce(1, *)
        guard t == o else {
            throw ShapeError(layer: name, "expects one class index per prediction row: targets \(kerasShape(targetShape)), output \(kerasShape(outputShape))")
        }
    }

    /// Mean over rows of -log p[y]. With probabilities, Keras clips them to
    /// [eps, 1 - eps] and renormalises (it feeds log(p) to the logits kernel).
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let c = yPred.shape.last ?? 1, rows = yPred.count / Swift.max(c, 1)
        let pt = yTrue.pointer, pp = yPred.pointer
        var total: Double = 0
        var grad = Tensor(uninitializedShape: yPred.shape)
        let pg = grad.freshPointer
        var counted = 0
        for r in 0..<rows {
            let label = Int(pt[r])
            let base = r * c
            if let ig = ignoreClass, label == ig { for j in 0..<c { pg[base + j] = 0 }; continue }
            counted += 1
            let y = Swift.min(Swift.max(label, 0), c - 1)
            if fromLogits {
                var m = -Float.infinity
                for j in 0..<c { m = Swift.max(m, pp[base + j]) }
                var s: Float = 0
                for j in 0..<c { let e = expf(pp[base + j] - m); pg[base + j] = e; s += e }
                total += Double(logf(s) + m - pp[base + y])
                for j in 0..<c { pg[base + j] = pg[base + j] / s - (j == y ? 1 : 0) }
            } else {
                var s: Float = 0
                for j in 0..<c { s += Swift.min(Swift.max(pp[base + j], kerasEpsilon), 1 - kerasEpsilon) }
                let py = Swift.min(Swift.max(pp[base + y], kerasEpsilon), 1 - kerasEpsilon)
                total += Double(logf(s) - logf(py))
                for j in 0..<c {
                    let v = pp[base + j]
                    let inside: Float = (v >= kerasEpsilon && v <= 1 - kerasEpsilon) ? 1 : 0
                    pg[base + j] = inside * (1 / s - (j == y ? 1 / py : 0))
                }
            }
        }
        let n = Float(Swift.max(rows, 1))
        let out = Tensor(Float(total) / n)
        return Tape.record(out, inputs: [yPred]) { g in
            var gx = grad
            let s = g.scalar / n
            gx.withMutableData { d in for i in 0..<d.count { d[i] *= s } }
            return [gx]
        }
    }
}

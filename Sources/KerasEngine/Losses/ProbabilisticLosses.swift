#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Keras's probabilistic losses (keras/src/losses/losses.py with the TensorFlow backend's
// crossentropy kernels). Probabilities are clipped to [eps, 1 - eps]; the clip passes
// gradient only inside (bounds included), as tf.clip_by_value.

private let probHi: Float = 1 - kerasEpsilon

@inline(__always) private func inside(_ v: Float) -> Bool { v >= kerasEpsilon && v <= probHi }
@inline(__always) private func clipProb(_ v: Float) -> Float { Swift.min(Swift.max(v, kerasEpsilon), probHi) }

/// Keras `Poisson`: `mean(y_pred - y_true * log(y_pred + eps), axis=-1)`.
public struct Poisson: RowwiseLoss {
    public var name: String
    public init(name: String = "poisson") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            (p - t * logf(p + kerasEpsilon), 1 - t / (p + kerasEpsilon))
        })
    }
}

/// Keras `KLDivergence`: `sum(t * log(t / p), axis=-1)` with `t`, `p` clipped to [eps, 1].
public struct KLDivergence: RowwiseLoss {
    public var name: String
    public init(name: String = "kl_divergence") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient) { t, p, g, n in
            var s: Float = 0
            for j in 0..<n {
                let tc = Swift.min(Swift.max(t[j], kerasEpsilon), 1), pc = Swift.min(Swift.max(p[j], kerasEpsilon), 1)
                s += tc * logf(tc / pc)
                g?[j] = (p[j] >= kerasEpsilon && p[j] <= 1) ? -tc / pc : 0
            }
            return s
        }
    }
}

/// Keras `BinaryCrossentropy`. Targets are smoothed to `y * (1 - ls) + ls / 2`; then
/// `mean(-(y log p + (1 - y) log(1 - p)), axis=-1)` with `p` clipped to [eps, 1 - eps], or,
/// `fromLogits`, `mean(max(x, 0) - x y + log(1 + exp(-|x|)), axis=-1)`.
public struct BinaryCrossentropy: RowwiseLoss {
    public var fromLogits: Bool
    public var labelSmoothing: Float
    public var axis: Int
    public var name: String
    public init(fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1, name: String = "binary_crossentropy") {
        self.fromLogits = fromLogits; self.labelSmoothing = labelSmoothing; self.axis = axis; self.name = name
    }

    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        try requireOneTargetPerOutput(targetShape, outputShape, axis: axis, name, mismatch:
            "expects one 0/1 target per output unit: targets \(kerasShape(targetShape)), output \(kerasShape(outputShape))")
    }

    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        let ls = labelSmoothing
        if fromLogits {
            return mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, x in
                let y = ls != 0 ? t * (1 - ls) + 0.5 * ls : t
                return (Swift.max(x, 0) - x * y + log1pf(expf(-Swift.abs(x))), sigmoidf(x) - y)
            })
        }
        return mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let y = ls != 0 ? t * (1 - ls) + 0.5 * ls : t
            let o = clipProb(p)
            let v = -(y * logf(o) + (1 - y) * logf(1 - o))
            return (v, inside(p) ? -(y / o - (1 - y) / (1 - o)) : 0)
        })
    }
}

/// Keras `CategoricalCrossentropy`. Targets (one-hot or soft, same shape as the output) are
/// smoothed to `y * (1 - ls) + ls / classes`. Probabilities are renormalised per row and
/// clipped: `-sum(y * log(clip(p / sum(p))), axis=-1)`; `fromLogits`:
/// `sum(y * (logsumexp(x) - x), axis=-1)`.
public struct CategoricalCrossentropy: RowwiseLoss {
    public var fromLogits: Bool
    public var labelSmoothing: Float
    public var axis: Int
    public var name: String
    public init(fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1, name: String = "categorical_crossentropy") {
        self.fromLogits = fromLogits; self.labelSmoothing = labelSmoothing; self.axis = axis; self.name = name
    }

    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        try requireOneTargetPerOutput(targetShape, outputShape, axis: axis, name, mismatch:
            "expects one-hot targets of the output's shape \(kerasShape(outputShape)), got \(kerasShape(targetShape)) (integer class labels need sparse_categorical_crossentropy)")
    }

    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        let ls = labelSmoothing, fromLogits = fromLogits
        return mapRows(yTrue, yPred, gradient: gradient) { t, p, g, n in
            let off = ls / Float(n)
            @inline(__always) func y(_ j: Int) -> Float { ls != 0 ? t[j] * (1 - ls) + off : t[j] }
            if fromLogits {
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, p[j]) }
                var s: Float = 0
                for j in 0..<n { s += expf(p[j] - m) }
                let lse = m + logf(s)
                var loss: Float = 0, ysum: Float = 0
                for j in 0..<n { loss += y(j) * (lse - p[j]); ysum += y(j) }
                if let g { for j in 0..<n { g[j] = expf(p[j] - lse) * ysum - y(j) } }
                return loss
            }
            var s: Float = 0
            for j in 0..<n { s += p[j] }
            var loss: Float = 0, aq: Float = 0
            for j in 0..<n {
                let q = p[j] / s, c = clipProb(q)
                loss -= y(j) * logf(c)
                if let g {
                    let a = inside(q) ? -y(j) / c : 0  // d loss / d q_j
                    g[j] = a; aq += a * q
                }
            }
            if let g { for j in 0..<n { g[j] = (g[j] - aq) / s } }
            return loss
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Keras's regression losses (keras/src/losses/losses.py): each is `mean(f(y_true, y_pred),
// axis=-1)` per example, then averaged over examples. The derivative sits beside `f`.

/// Keras `MeanSquaredError`: `mean((y_true - y_pred)^2, axis=-1)`.
public struct MeanSquaredError: RowwiseLoss {
    public var name: String
    public init(name: String = "mean_squared_error") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in let d = p - t; return (d * d, 2 * d) })
    }
}

/// Keras `MeanAbsoluteError`: `mean(|y_true - y_pred|, axis=-1)`.
public struct MeanAbsoluteError: RowwiseLoss {
    public var name: String
    public init(name: String = "mean_absolute_error") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let d = p - t
            return (Swift.abs(d), d > 0 ? 1 : (d < 0 ? -1 : 0))
        })
    }
}

/// Keras `MeanAbsolutePercentageError`:
/// `100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)`.
public struct MeanAbsolutePercentageError: RowwiseLoss {
    public var name: String
    public init(name: String = "mean_absolute_percentage_error") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let den = Swift.max(Swift.abs(t), kerasEpsilon), d = (p - t) / den
            return (100 * Swift.abs(d), d > 0 ? 100 / den : (d < 0 ? -100 / den : 0))
        })
    }
}

/// Keras `MeanSquaredLogarithmicError`:
/// `mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)`.
public struct MeanSquaredLogarithmicError: RowwiseLoss {
    public var name: String
    public init(name: String = "mean_squared_logarithmic_error") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let a = Swift.max(p, kerasEpsilon) + 1, d = logf(a) - logf(Swift.max(t, kerasEpsilon) + 1)
            return (d * d, p >= kerasEpsilon ? 2 * d / a : 0)
        })
    }
}

/// Keras `LogCosh`: `mean(x + softplus(-2x) - log 2, axis=-1)` with `x = y_pred - y_true`;
/// the derivative is `tanh(x)`.
public struct LogCosh: RowwiseLoss {
    public var name: String
    public init(name: String = "log_cosh") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        let log2: Float = 0.6931471805599453
        return mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let x = p - t
            return (x + softplusf(-2 * x) - log2, tanhf(x))
        })
    }
}

/// Keras `Huber`: with `e = y_pred - y_true`, `mean(|e| <= delta ? e^2 / 2 : delta * |e| - delta^2 / 2, axis=-1)`.
public struct Huber: RowwiseLoss {
    public var delta: Float
    public var name: String
    public init(delta: Float = 1.0, name: String = "huber_loss") { self.delta = delta; self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        let delta = delta
        return mapRows(yTrue, yPred, gradient: gradient, meanKernel { t, p in
            let e = p - t, a = Swift.abs(e)
            if a <= delta { return (0.5 * e * e, e) }
            return (delta * a - 0.5 * delta * delta, e > 0 ? delta : -delta)
        })
    }
}

/// Keras `CosineSimilarity`: `-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis=-1)`,
/// where `l2_normalize(x) = x * min(rsqrt(sum(x^2)), 1 / eps)`. Values lie in [-1, 1].
public struct CosineSimilarity: RowwiseLoss {
    public var axis: Int
    public var name: String
    public init(axis: Int = -1, name: String = "cosine_similarity") { self.axis = axis; self.name = name }

    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        try requireOneTargetPerOutput(targetShape, outputShape, axis: axis, name, mismatch:
            "expects targets of the output's shape: targets \(kerasShape(targetShape)), output \(kerasShape(outputShape))")
    }

    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient) { t, p, g, n in
            let (st, _) = inverseNorm(t, n), (sp, clipped) = inverseNorm(p, n)
            var dot: Float = 0  // a . b with a = t * st, b = p * sp
            for j in 0..<n { dot += t[j] * st * p[j] * sp }
            if let g {
                for j in 0..<n {
                    let a = t[j] * st
                    g[j] = clipped ? -a * sp : -(a - dot * p[j] * sp) * sp
                }
            }
            return -dot
        }
    }
}

/// `min(rsqrt(sum(x^2)), 1 / eps)` over `n` values, and whether the cap applied.
@inline(__always)
func inverseNorm(_ x: UnsafePointer<Float>, _ n: Int) -> (Float, Bool) {
    var ss: Float = 0
    for j in 0..<n { ss += x[j] * x[j] }
    let r = 1 / ss.squareRoot(), cap = 1 / kerasEpsilon
    return r <= cap ? (r, false) : (cap, true)
}

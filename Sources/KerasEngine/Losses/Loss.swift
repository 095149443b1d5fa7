#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A Keras loss: a differentiable scalar from targets and predictions, reduced as Keras's
/// default `sum_over_batch_size` (the mean over every example's loss).
public protocol Loss {
    /// The Keras default name of the loss object, e.g. `sparse_categorical_crossentropy`.
    var name: String { get }
    /// The batch loss; differentiable with respect to `yPred`.
    func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor
    /// Checks that targets of `targetShape` (per example) fit predictions of `outputShape`.
    func checkTargets(targetShape: [Int], outputShape: [Int]) throws
}

extension Loss {
    /// Dense targets: one target per output unit (Keras squeezes or expands a trailing 1).
    public func checkTargets(targetShape: [Int], outputShape: [Int]) throws {
        let t = targetShape.reduce(1, *), o = outputShape.reduce(1, *)
        guard t == o else {
            throw ShapeError(layer: name, "expects one target per output unit: targets \(kerasShape(targetShape)) do not match the model output \(kerasShape(outputShape))")
        }
    }
}

/// Keras's backend epsilon (1e-7), used to clip probabilities.
public let kerasEpsilon: Float = 1e-7

/// A loss that Keras computes per example (one value per row along the last axis of
/// `y_pred`, its `reduction=None` output) and then averages (`sum_over_batch_size`).
///
/// Conformers implement `rowLosses`; `callAsFunction` records one fused tape node whose
/// backward scales the precomputed d(Σ rows)/d(yPred) by `upstream / rows`.
public protocol RowwiseLoss: Loss {
    /// Keras's per-example losses (shape `yPred.shape.dropLast()`) and, when `gradient`
    /// is true, d(sum of those losses)/d(yPred).
    func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?)
}

extension RowwiseLoss {
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (values, grad) = rowLosses(yTrue, yPred, gradient: yPred.isTracked)
        return reduceSumOverBatchSize(values, grad, yPred, divisor: values.count)
    }

    /// The unreduced loss (Keras `reduction=None`): one value per example row.
    public func perExample(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        rowLosses(yTrue, yPred, gradient: false).values
    }
}

/// Sums `values`, divides by `divisor` (0 gives 0, as Keras's divide_no_nan) and records
/// the fused backward: d(loss)/d(yPred) = grad * upstream / divisor.
func reduceSumOverBatchSize(_ values: Tensor, _ grad: Tensor?, _ yPred: Tensor, divisor: Int) -> Tensor {
    var total = 0.0
    let pv = values.pointer
    for i in 0..<values.count { total += Double(pv[i]) }
    let n = Float(divisor)
    let out = Tensor(divisor > 0 ? Float(total / Double(divisor)) : 0)
    guard let grad else { return out }
    return Tape.record(out, inputs: [yPred]) { g in
        var gx = grad
        let s = divisor > 0 ? g.scalar / n : 0
        gx.withMutableData { d in for i in 0..<d.count { d[i] *= s } }
        return [gx]
    }
}

/// One row of a row kernel: `n` targets `t`, `n` predictions `p`; writes d(row loss)/d(p)
/// into `g` when it is non-nil and returns the row loss.
typealias RowKernel = (_ t: UnsafePointer<Float>, _ p: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>?, _ n: Int) -> Float

/// Runs `kernel` on every row (last axis of `yPred`; targets have the same element count).
func mapRows(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool, _ kernel: RowKernel) -> (values: Tensor, gradient: Tensor?) {
    precondition(yTrue.count == yPred.count, "targets \(yTrue.shape) do not match predictions \(yPred.shape)")
    let n = Swift.max(yPred.shape.last ?? 1, 1), rows = yPred.count / n
    let values = Tensor(uninitializedShape: yPred.rank > 0 ? Array(yPred.shape.dropLast()) : [])
    let grad: Tensor? = gradient ? Tensor(uninitializedShape: yPred.shape) : nil
    let pt = yTrue.pointer, pp = yPred.pointer, pv = values.freshPointer, pg = grad?.freshPointer
    for r in 0..<rows {
        pv[r] = kernel(pt + r * n, pp + r * n, pg.map { $0 + r * n }, n)
    }
    return (values, grad)
}

/// A row kernel for Keras's `mean(f(t, p), axis=-1)`: `f` returns (value, d value / d p).
@inline(__always)
func meanKernel(_ f: @escaping (Float, Float) -> (Float, Float)) -> RowKernel {
    { t, p, g, n in
        var s: Float = 0
        let inv = 1 / Float(n)
        for j in 0..<n {
            let (v, d) = f(t[j], p[j])
            s += v
            g?[j] = d * inv
        }
        return s * inv
    }
}

/// Throws unless a loss's `axis` is the last one (the only axis these kernels support).
func requireLastAxis(_ axis: Int, rank: Int, _ name: String) throws {
    guard axis == -1 || axis == rank else {
        throw ShapeError(layer: name, "only axis=-1 is supported, got axis=\(axis)")
    }
}

/// The checks of a loss taking one target value per output value, reduced on the last
/// axis: axis -1 and as many target values as outputs, else `mismatch` (shapes, with the
/// expected form of the targets).
func requireOneTargetPerOutput(_ targetShape: [Int], _ outputShape: [Int], axis: Int, _ name: String,
                               mismatch: @autoclosure () -> String) throws {
    try requireLastAxis(axis, rank: outputShape.count, name)
    guard targetShape.reduce(1, *) == outputShape.reduce(1, *) else { throw ShapeError(layer: name, mismatch()) }
}

/// A float class label as an index; NaN, infinite or huge values give -1 (never traps).
@inline(__always)
func classIndex(_ v: Float) -> Int { v.isFinite && Swift.abs(v) < 1e9 ? Int(v) : -1 }

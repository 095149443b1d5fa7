/// Keras's weight constraints (`keras/src/constraints/constraints.py`): a function of a
/// weight applied after every optimizer update, `w ← constraint(w)` (Keras's
/// `BaseOptimizer.apply`: `variable.assign(variable.constraint(variable))`). Not part of
/// the gradient. `axis` lists the axes of the weight's full shape the norms are taken
/// over (Keras's int or list; negative counts from the end), `‖w‖` keeping them as size 1:
///
///     MaxNorm:    w · clip(‖w‖, 0, max_value) / (ε + ‖w‖)
///     NonNeg:     max(w, 0)
///     UnitNorm:   w / (ε + ‖w‖)
///     MinMaxNorm: w · (rate · clip(‖w‖, min_value, max_value) + (1 − rate) · ‖w‖) / (ε + ‖w‖)
///
/// with ε = 1e-7 (Keras's `backend.epsilon()`). Aliases: `max_norm`, `non_neg`,
/// `unit_norm`, `min_max_norm`.
public protocol Constraint {
    /// The constrained weight (same shape).
    func callAsFunction(_ w: Tensor) -> Tensor
}

/// Keras's `backend.epsilon()`.
let constraintEpsilon: Float = 1e-7

/// Keras `MaxNorm`: defaults max_value 2, axis 0.
public struct MaxNorm: Constraint, Equatable, Sendable {
    public var maxValue: Float, axis: [Int]
    public init(maxValue: Float = 2, axis: [Int] = [0]) { self.maxValue = maxValue; self.axis = axis }
    public func callAsFunction(_ w: Tensor) -> Tensor {
        rescaleNorms(w, axis: axis) { n in Swift.min(Swift.max(n, 0), maxValue) }
    }
}

/// Keras `NonNeg`: negative entries become 0.
public struct NonNeg: Constraint, Equatable, Sendable {
    public init() {}
    public func callAsFunction(_ w: Tensor) -> Tensor {
        var out = w.detached
        out.withMutableData { v in for i in 0..<v.count { v[i] = Swift.max(v[i], 0) } }
        return out
    }
}

/// Keras `UnitNorm`: default axis 0.
public struct UnitNorm: Constraint, Equatable, Sendable {
    public var axis: [Int]
    public init(axis: [Int] = [0]) { self.axis = axis }
    public func callAsFunction(_ w: Tensor) -> Tensor { rescaleNorms(w, axis: axis) { _ in 1 } }
}

/// Keras `MinMaxNorm`: defaults min_value 0, max_value 1, rate 1, axis 0.
public struct MinMaxNorm: Constraint, Equatable, Sendable {
    public var minValue: Float, maxValue: Float, rate: Float, axis: [Int]
    public init(minValue: Float = 0, maxValue: Float = 1, rate: Float = 1, axis: [Int] = [0]) {
        self.minValue = minValue; self.maxValue = maxValue; self.rate = rate; self.axis = axis
    }
    public func callAsFunction(_ w: Tensor) -> Tensor {
        rescaleNorms(w, axis: axis) { n in rate * Swift.min(Swift.max(n, minValue), maxValue) + (1 - rate) * n }
    }
}

/// `w · desired(‖w‖) / (ε + ‖w‖)`, the norms taken over `axis` of `w`'s shape (axes
/// beyond the weight's rank are ignored, so a constraint written for a kernel does not
/// trap on a bias). Computed in Float32, as Keras.
func rescaleNorms(_ w: Tensor, axis: [Int], _ desired: (Float) -> Float) -> Tensor {
    let x = w.detached
    var reduced = x.shape
    for a in axis {
        let ax = a < 0 ? a + x.rank : a
        if ax >= 0 && ax < x.rank { reduced[ax] = 1 }
    }
    var squares = x
    squares.withMutableData { v in for i in 0..<v.count { v[i] *= v[i] } }
    var factor = squares.sumToShape(reduced)
    factor.withMutableData { v in
        for i in 0..<v.count {
            let norm = v[i].squareRoot()
            v[i] = desired(norm) / (constraintEpsilon + norm)
        }
    }
    return x * factor
}

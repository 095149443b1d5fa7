#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The arguments `ExponentialDecay` and `InverseTimeDecay` share, and the decay progress
/// both use: step/decay_steps, floored when `staircase`.
public struct RateDecay: Equatable, Sendable {
    public var initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool

    /// Throws unless decay_steps > 0 (`schedule` names the Keras class in the error).
    init(_ schedule: String, initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool) throws {
        try requirePositive(decaySteps, "decay_steps", in: schedule)
        self.initialLearningRate = initialLearningRate; self.decaySteps = decaySteps
        self.decayRate = decayRate; self.staircase = staircase
    }

    func progress(_ step: Int) -> Double {
        let p = Double(step) / decaySteps
        return staircase ? p.rounded(.down) : p
    }
}

/// Keras `ExponentialDecay`: lr = initial_learning_rate · decay_rate^(step/decay_steps)
/// (the exponent floored when `staircase`).
public struct ExponentialDecay: LearningRateSchedule, Equatable, Sendable {
    public var decay: RateDecay
    public init(initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool = false) throws {
        decay = try RateDecay("ExponentialDecay", initialLearningRate: initialLearningRate, decaySteps: decaySteps,
                              decayRate: decayRate, staircase: staircase)
    }
    public func callAsFunction(step: Int) -> Float {
        Float(decay.initialLearningRate * pow(decay.decayRate, decay.progress(step)))
    }
}

/// Keras `InverseTimeDecay`: lr = initial_learning_rate / (1 + decay_rate · step/decay_steps)
/// (the ratio floored when `staircase`).
public struct InverseTimeDecay: LearningRateSchedule, Equatable, Sendable {
    public var decay: RateDecay
    public init(initialLearningRate: Double, decaySteps: Double, decayRate: Double, staircase: Bool = false) throws {
        decay = try RateDecay("InverseTimeDecay", initialLearningRate: initialLearningRate, decaySteps: decaySteps,
                              decayRate: decayRate, staircase: staircase)
    }
    public func callAsFunction(step: Int) -> Float {
        Float(decay.initialLearningRate / (1 + decay.decayRate * decay.progress(step)))
    }
}

/// Keras `PolynomialDecay`: p = min(step, decay_steps)/decay_steps and
/// lr = (initial − end)·(1 − p)^power + end. With `cycle`, decay_steps is multiplied by
/// ⌈step/decay_steps⌉ (1 at step 0) instead of clamping the step.
public struct PolynomialDecay: LearningRateSchedule, Equatable, Sendable {
    public var initialLearningRate: Double, decaySteps: Double, endLearningRate: Double, power: Double, cycle: Bool
    public init(initialLearningRate: Double, decaySteps: Double, endLearningRate: Double = 0.0001,
                power: Double = 1.0, cycle: Bool = false) throws {
        try requirePositive(decaySteps, "decay_steps", in: "PolynomialDecay")
        self.initialLearningRate = initialLearningRate; self.decaySteps = decaySteps
        self.endLearningRate = endLearningRate; self.power = power; self.cycle = cycle
    }
    public func callAsFunction(step: Int) -> Float {
        var s = Double(step), d = decaySteps
        if cycle {
            d *= s == 0 ? 1 : (s / decaySteps).rounded(.up)
        } else {
            s = Swift.min(s, d)
        }
        let p = s / d
        return Float((initialLearningRate - endLearningRate) * pow(1 - p, power) + endLearningRate)
    }
}

/// Keras `PiecewiseConstantDecay`: `values[0]` while step ≤ boundaries[0], `values[i]` while
/// boundaries[i−1] < step ≤ boundaries[i], `values.last` after the last boundary.
public struct PiecewiseConstantDecay: LearningRateSchedule, Equatable, Sendable {
    public var boundaries: [Double], values: [Double]
    /// Throws unless there is one more value than boundaries.
    public init(boundaries: [Double], values: [Double]) throws {
        guard boundaries.count == values.count - 1, !boundaries.isEmpty else {
            throw OptimizerError.invalidArgument(
                owner: "PiecewiseConstantDecay", argument: "values", value: "\(values) (\(values.count) values)",
                expected: "one more value than boundaries (\(boundaries.count) boundaries)")
        }
        self.boundaries = boundaries; self.values = values
    }
    public func callAsFunction(step: Int) -> Float {
        // Keras casts the boundaries to the step's integer type.
        let s = Double(step)
        for (i, b) in boundaries.enumerated() where s <= b.rounded(.towardZero) { return Float(values[i]) }
        return Float(values[values.count - 1])
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `CosineDecay` with optional linear warmup. Without warmup_target:
/// s = min(step, decay_steps), lr = initial·((1−α)·½(1 + cos(π·s/decay_steps)) + α).
/// With warmup_target: s = min(step, warmup_steps + decay_steps); while s < warmup_steps,
/// lr = initial + (target − initial)·s/warmup_steps; then the cosine decays from
/// warmup_target over s − warmup_steps.
public struct CosineDecay: LearningRateSchedule, Equatable, Sendable {
    public var initialLearningRate: Double, decaySteps: Double, alpha: Double
    public var warmupTarget: Double?, warmupSteps: Double
    public init(initialLearningRate: Double, decaySteps: Double, alpha: Double = 0.0,
                warmupTarget: Double? = nil, warmupSteps: Double = 0) throws {
        try requirePositive(decaySteps, "decay_steps", in: "CosineDecay")
        self.initialLearningRate = initialLearningRate; self.decaySteps = decaySteps; self.alpha = alpha
        self.warmupTarget = warmupTarget; self.warmupSteps = warmupSteps
    }
    private func decayed(_ s: Double, from lr: Double) -> Double {
        let cosine = 0.5 * (1 + cos(Double.pi * (s / decaySteps)))
        return lr * ((1 - alpha) * cosine + alpha)
    }
    public func callAsFunction(step: Int) -> Float {
        guard let target = warmupTarget else {
            return Float(decayed(Swift.min(Double(step), decaySteps), from: initialLearningRate))
        }
        let s = Swift.min(Double(step), decaySteps + warmupSteps)
        if s < warmupSteps {
            return Float((target - initialLearningRate) * (s / warmupSteps) + initialLearningRate)
        }
        return Float(decayed(s - warmupSteps, from: target))
    }
}

/// Keras `CosineDecayRestarts` (SGDR): the cosine decay over first_decay_steps, restarted
/// with periods multiplied by t_mul and peaks by m_mul each time. With f = step/first_decay_steps:
/// t_mul = 1: i = ⌊f⌋, f ← f − i; otherwise i = ⌊log(1 − f(1 − t_mul))/log t_mul⌋,
/// f ← (f − (1 − t_mulⁱ)/(1 − t_mul))/t_mulⁱ. lr = initial·((1−α)·½·m_mulⁱ(1 + cos πf) + α).
public struct CosineDecayRestarts: LearningRateSchedule, Equatable, Sendable {
    public var initialLearningRate: Double, firstDecaySteps: Double, tMul: Double, mMul: Double, alpha: Double
    public init(initialLearningRate: Double, firstDecaySteps: Double, tMul: Double = 2.0, mMul: Double = 1.0,
                alpha: Double = 0.0) throws {
        try requirePositive(firstDecaySteps, "first_decay_steps", in: "CosineDecayRestarts")
        self.initialLearningRate = initialLearningRate; self.firstDecaySteps = firstDecaySteps
        self.tMul = tMul; self.mMul = mMul; self.alpha = alpha
    }
    public func callAsFunction(step: Int) -> Float {
        var f = Double(step) / firstDecaySteps
        let i: Double
        if tMul == 1 {
            i = f.rounded(.down)
            f -= i
        } else {
            var k = (log(1 - f * (1 - tMul)) / log(tMul)).rounded(.down)
            // Settle rounding at exact restart points: periods before restart k sum to ≤ f.
            func start(_ k: Double) -> Double { (1 - pow(tMul, k)) / (1 - tMul) }
            if start(k + 1) <= f { k += 1 } else if k > 0, start(k) > f { k -= 1 }
            i = k
            let sum = start(i)
            f = (f - sum) / pow(tMul, i)
        }
        let cosine = 0.5 * pow(mMul, i) * (1 + cos(Double.pi * f))
        return Float(initialLearningRate * ((1 - alpha) * cosine + alpha))
    }
}

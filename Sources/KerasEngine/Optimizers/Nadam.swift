#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Nadam` (learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7).
/// Shared across variables: uₜ = β₁(1 − ½·0.96ᵗ) and Πₜ = Πₜ₋₁·uₜ (Keras's `u_product`,
/// advanced once per step in `beginStep`). Per variable: m ← m + (g − m)(1−β₁);
/// v ← v + (g² − v)(1−β₂); m̂ = uₜ₊₁m/(1 − Πₜuₜ₊₁) + (1−uₜ)g/(1 − Πₜ); v̂ = v/(1−β₂ᵗ);
/// w ← w − lr·m̂/(√v̂ + ε).
public final class Nadam: ConfiguredRule<Nadam.Config>, UpdateRule {
    public typealias Config = MomentsConfig

    /// Πₜ after the last `beginStep` (Keras's `u_product`), and that step.
    public private(set) var uProduct: Float = 1
    private var uProductStep = 0

    public var slotNames: [String] { ["momentum", "velocity"] }

    /// Advances Πₜ; recomputes it from step 1 when steps were skipped (e.g. after a resume).
    public func beginStep(_ step: Int, learningRate: Float) {
        if step != uProductStep + 1 { uProduct = 1; uProductStep = 0 }
        let b1 = f32(config.beta1)
        while uProductStep < step {
            uProductStep += 1
            uProduct = uProduct * b1 * (1 - 0.5 * powf(0.96, Float(uProductStep)))
        }
    }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        if uProductStep != step { beginStep(step, learningRate: lr) }
        let t = Float(step), decay: Float = 0.96
        let b1 = f32(config.beta1), b2 = f32(config.beta2), eps = f32(config.epsilon)
        let ut = b1 * (1 - 0.5 * powf(decay, t)), ut1 = b1 * (1 - 0.5 * powf(decay, t + 1))
        let pt = uProduct, pt1 = pt * ut1
        let b2p = powf(b2, t)
        let m = slots[0], v = slots[1]
        for i in 0..<count {
            let g = grad[i]
            m[i] += (g - m[i]) * (1 - b1)
            v[i] += (g * g - v[i]) * (1 - b2)
            let mHat = (ut1 * m[i]) / (1 - pt1) + ((1 - ut) * g) / (1 - pt)
            let vHat = v[i] / (1 - b2p)
            value[i] -= (mHat * lr) / (vHat.squareRoot() + eps)
        }
    }
}

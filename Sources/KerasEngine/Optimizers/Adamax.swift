#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Adamax` (learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7):
/// m ← m + (g − m)(1−β₁); u ← max(β₂u, |g|); w ← w − lr·m/((1−β₁ᵗ)(u + ε)).
public final class Adamax: ConfiguredRule<Adamax.Config>, UpdateRule {
    public typealias Config = MomentsConfig

    public var slotNames: [String] { ["momentum", "norm"] }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let m = slots[0], u = slots[1]
        let b1p = powf(f32(config.beta1), Float(step))
        let k1 = f32(1 - config.beta1), b2 = f32(config.beta2), eps = f32(config.epsilon)
        for i in 0..<count {
            let g = grad[i]
            m[i] += (g - m[i]) * k1
            u[i] = Swift.max(b2 * u[i], Swift.abs(g))
            value[i] -= (lr * m[i]) / ((1 - b1p) * (u[i] + eps))
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Lamb` (learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7): Adam's moments,
/// u = (m/(1−β₁ᵗ))/(√(v/(1−β₂ᵗ)) + ε), then a layer-wise trust ratio
/// r = ‖w‖/‖u‖ (1 when either norm is 0) and w ← w − r·lr·u.
public final class Lamb: ConfiguredRule<Lamb.Config>, UpdateRule {
    public typealias Config = MomentsConfig

    /// Needs the whole tensor (trust ratio of norms).
    public var isElementwise: Bool { false }
    public var slotNames: [String] { ["momentum", "velocity"] }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let m = slots[0], v = slots[1], t = Float(step)
        let c1 = 1 - powf(f32(config.beta1), t), c2 = 1 - powf(f32(config.beta2), t)
        let k1 = f32(1 - config.beta1), k2 = f32(1 - config.beta2), eps = f32(config.epsilon)
        @inline(__always) func u(_ i: Int) -> Float { (m[i] / c1) / ((v[i] / c2).squareRoot() + eps) }
        var wSq: Float = 0, uSq: Float = 0
        for i in 0..<count {
            let g = grad[i]
            m[i] += (g - m[i]) * k1
            v[i] += (g * g - v[i]) * k2
            let ui = u(i)
            wSq += value[i] * value[i]; uSq += ui * ui
        }
        let wNorm = wSq.squareRoot(), uNorm = uSq.squareRoot()
        let ratio: Float = wNorm > 0 ? (uNorm > 0 ? wNorm / uNorm : 1) : 1
        for i in 0..<count { value[i] -= ratio * lr * u(i) }
    }
}

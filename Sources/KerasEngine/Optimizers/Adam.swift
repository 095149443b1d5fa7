import KerasKernels
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Adam` (learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad false),
/// in Keras 3's form: m ← m + (g − m)(1−β₁); v ← v + (g² − v)(1−β₂);
/// α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); w ← w − m·α/(√v + ε) (amsgrad: v̂ ← max(v̂, v) replaces v).
public class Adam: ConfiguredRule<Adam.Config>, UpdateRule {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var beta1 = 0.9
        public var beta2 = 0.999
        public var epsilon = 1e-7
        public var amsgrad = false
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("beta_1", .number(\.beta1)), ("beta_2", .number(\.beta2)), ("epsilon", .number(\.epsilon)),
             ("amsgrad", .bool(\.amsgrad))]
        }
    }

    /// None for Adam; AdamW's is 0.004.
    public class var defaultWeightDecay: Float? { nil }
    public var slotNames: [String] { ["momentum", "velocity"] + (config.amsgrad ? ["velocity_hat"] : []) }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        Self.adamStep(config, value: value, grad: grad, count: count, slots: slots, lr: lr, step: step)
    }

    private static func adamStep(_ c: Config, value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                                 slots: [UnsafeMutablePointer<Float>], lr: Float, step: Int) {
        let t = Float(step)
        let b1p = powf(f32(c.beta1), t), b2p = powf(f32(c.beta2), t)
        let alpha = lr * (1 - b2p).squareRoot() / (1 - b1p)
        let k1 = f32(1 - c.beta1), k2 = f32(1 - c.beta2), eps = f32(c.epsilon)
        let m = slots[0], v = slots[1]
        if c.amsgrad {
            let vh = slots[2]
            for i in 0..<count {
                let g = grad[i]
                m[i] += (g - m[i]) * k1
                v[i] += (g * g - v[i]) * k2
                vh[i] = Swift.max(vh[i], v[i])
                value[i] -= (m[i] * alpha) / (vh[i].squareRoot() + eps)
            }
        } else {
            kk_adam(value, grad, m, v, count, k1, k2, alpha, eps)   // vectorized at the CPU's width
        }
    }
}

/// Keras `AdamW`: Adam with decoupled weight decay (weight_decay 0.004 by default,
/// applied by the `Optimizer` base as w ← w − w·wd·lr before the Adam step).
public final class AdamW: Adam {
    override public class var defaultWeightDecay: Float? { 0.004 }
}

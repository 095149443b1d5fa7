import KerasKernels

/// Keras `RMSprop` (learning_rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false):
/// v ← ρv + (1−ρ)g²; step = lr·g/√(v + ε) (centered: ā ← ρā + (1−ρ)g, √(v − ā² + ε));
/// with momentum μ > 0, m ← μm + step and w ← w − m, else w ← w − step.
public final class RMSprop: ConfiguredRule<RMSprop.Config>, UpdateRule {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var rho = 0.9
        public var momentum = 0.0
        public var epsilon = 1e-7
        public var centered = false
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("rho", .number(\.rho)), ("momentum", .number(\.momentum)), ("epsilon", .number(\.epsilon)),
             ("centered", .bool(\.centered))]
        }
    }

    /// Shorthand taking the Keras arguments directly (defaults from `Config`).
    public convenience init(rho: Double = Config().rho, momentum: Double = Config().momentum,
                            epsilon: Double = Config().epsilon, centered: Bool = Config().centered) {
        var c = Config()
        c.rho = rho; c.momentum = momentum; c.epsilon = epsilon; c.centered = centered
        self.init(c)
    }
    public var slotNames: [String] {
        ["velocity"] + (config.momentum > 0 ? ["momentum"] : []) + (config.centered ? ["average_gradient"] : [])
    }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let hasMomentum = config.momentum > 0
        let v = slots[0]
        let m: UnsafeMutablePointer<Float>? = hasMomentum ? slots[1] : nil
        let a: UnsafeMutablePointer<Float>? = config.centered ? slots[hasMomentum ? 2 : 1] : nil
        let rho = f32(config.rho), oneMinusRho = f32(1 - config.rho), eps = f32(config.epsilon)
        let mu = f32(config.momentum)
        if m == nil && a == nil {
            // Keras's default (no momentum, not centered): vectorized at the CPU's width.
            kk_rmsprop(value, grad, v, count, rho, oneMinusRho, lr, eps)
            return
        }
        for i in 0..<count {
            let g = grad[i]
            v[i] = rho * v[i] + oneMinusRho * (g * g)
            var denom = v[i] + eps
            if let a { a[i] = rho * a[i] + oneMinusRho * g; denom = v[i] - a[i] * a[i] + eps }
            let inc = (lr * g) / denom.squareRoot()
            if let m { m[i] = mu * m[i] + inc; value[i] -= m[i] } else { value[i] -= inc }
        }
    }
}

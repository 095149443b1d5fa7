/// Keras `RMSprop` (rho 0.9, momentum 0, epsilon 1e-7, centered false; lr 0.001):
/// v = ρv + (1-ρ)g²; step = lr·g/√(v + ε) (centered: √(v − ḡ² + ε)); with momentum,
/// m = μm + step and the variable moves by m.
public final class RMSprop: UpdateRule {
    public var rho: Float, momentum: Float, epsilon: Float, centered: Bool
    public init(rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7, centered: Bool = false) {
        self.rho = rho; self.momentum = momentum; self.epsilon = epsilon; self.centered = centered
    }
    public var name: String { "RMSprop" }
    public var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let v = slots[0]
        let m: UnsafeMutablePointer<Float>? = momentum > 0 ? slots[1] : nil
        let a: UnsafeMutablePointer<Float>? = centered ? slots[momentum > 0 ? 2 : 1] : nil
        let rho = self.rho, eps = epsilon, mu = momentum
        for i in 0..<count {
            let g = grad[i]
            v[i] = rho * v[i] + (1 - rho) * g * g
            var denom = v[i] + eps
            if let a { a[i] = rho * a[i] + (1 - rho) * g; denom = v[i] - a[i] * a[i] + eps }
            let inc = lr * g / denom.squareRoot()
            if let m { m[i] = mu * m[i] + inc; value[i] -= m[i] } else { value[i] -= inc }
        }
    }
}

/// Keras `Adadelta` (learning_rate 0.001, rho 0.95, epsilon 1e-7):
/// E[g²] ← ρE[g²] + (1−ρ)g²; Δ = −√(E[Δ²] + ε)·g/√(E[g²] + ε);
/// E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²; w ← w + lr·Δ.
public final class Adadelta: ConfiguredRule<Adadelta.Config>, UpdateRule {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var rho = 0.95
        public var epsilon = 1e-7
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("rho", .number(\.rho)), ("epsilon", .number(\.epsilon))]
        }
    }

    public var slotNames: [String] { ["accumulated_grad", "accumulated_delta_var"] }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let ag = slots[0], ad = slots[1]
        let rho = f32(config.rho), k = f32(1 - config.rho), eps = f32(config.epsilon)
        for i in 0..<count {
            let g = grad[i]
            ag[i] = rho * ag[i] + k * (g * g)
            let delta = -(((ad[i] + eps).squareRoot() * g) / (ag[i] + eps).squareRoot())
            ad[i] = rho * ad[i] + k * (delta * delta)
            value[i] += lr * delta
        }
    }
}

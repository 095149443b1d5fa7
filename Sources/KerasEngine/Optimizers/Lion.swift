/// Keras `Lion` (learning_rate 0.001, beta_1 0.9, beta_2 0.99):
/// w ← w − lr·sign(β₁m + (1−β₁)g); then m ← β₂m + (1−β₂)g.
public final class Lion: UpdateRule, HasKerasConfig {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var beta1 = 0.9
        public var beta2 = 0.99
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("beta_1", .number(\.beta1)), ("beta_2", .number(\.beta2))]
        }
    }

    public let config: Config
    /// Throws unless 0 < beta_1 ≤ 1 (as Keras: otherwise Lion degenerates to SignSGD).
    public init(_ config: Config = Config()) throws {
        guard config.beta1 > 0, config.beta1 <= 1 else {
            throw OptimizerError.invalidArgument(owner: "Lion", argument: "beta_1", value: "\(config.beta1)",
                                                 expected: "a float in the (0, 1] range")
        }
        self.config = config
    }
    public var slotNames: [String] { ["momentum"] }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let m = slots[0], b1 = f32(config.beta1), b2 = f32(config.beta2)
        for i in 0..<count {
            let g = grad[i]
            let c = m[i] * b1 + g * (1 - b1)
            value[i] -= lr * (c > 0 ? 1 : (c < 0 ? -1 : 0))
            m[i] = m[i] * b2 + g * (1 - b2)
        }
    }
}

/// Keras `Adagrad` (learning_rate 0.001, initial_accumulator_value 0.1, epsilon 1e-7):
/// a ← a + g²; w ← w − lr·g/√(a + ε).
public final class Adagrad: ConfiguredRule<Adagrad.Config>, UpdateRule {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var initialAccumulatorValue = 0.1
        public var epsilon = 1e-7
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("initial_accumulator_value", .number(\.initialAccumulatorValue)), ("epsilon", .number(\.epsilon))]
        }
    }

    public var slotNames: [String] { ["accumulator"] }
    public func initialSlotValue(_ slot: Int) -> Float { f32(config.initialAccumulatorValue) }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let a = slots[0], eps = f32(config.epsilon)
        for i in 0..<count {
            let g = grad[i]
            a[i] += g * g
            value[i] -= (lr * g) / (a[i] + eps).squareRoot()
        }
    }
}

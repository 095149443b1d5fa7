/// Keras `SGD` (learning_rate 0.01): without momentum w ← w − lr·g; with momentum μ,
/// m ← μ·m − lr·g and w ← w + m, or with Nesterov w ← w + μ·m − lr·g (the new m).
public final class SGD: UpdateRule, HasKerasConfig {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var momentum = 0.0
        public var nesterov = false
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("momentum", .number(\.momentum)), ("nesterov", .bool(\.nesterov))]
        }
    }
    public let config: Config
    public static let defaultLearningRate: Float = 0.01

    /// Throws unless 0 ≤ momentum ≤ 1 (as Keras).
    public init(_ config: Config = Config()) throws {
        guard config.momentum >= 0, config.momentum <= 1 else {
            throw OptimizerError.invalidArgument(owner: "SGD", argument: "momentum", value: "\(config.momentum)",
                                                 expected: "a float between [0, 1]")
        }
        self.config = config
    }
    public var slotNames: [String] { config.momentum != 0 ? ["momentum"] : [] }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        guard config.momentum != 0 else {
            for i in 0..<count { value[i] -= grad[i] * lr }
            return
        }
        let m = slots[0], mu = f32(config.momentum)
        if config.nesterov {
            for i in 0..<count { m[i] = m[i] * mu - grad[i] * lr; value[i] += m[i] * mu - grad[i] * lr }
        } else {
            for i in 0..<count { m[i] = m[i] * mu - grad[i] * lr; value[i] += m[i] }
        }
    }
}

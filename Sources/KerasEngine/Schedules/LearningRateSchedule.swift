/// A learning rate as a function of the optimizer's step count (Keras's
/// `LearningRateSchedule`): the optimizer calls it with `step` = its `iterations`
/// before the update (0 for the first step).
public protocol LearningRateSchedule {
    func callAsFunction(step: Int) -> Float
}

/// A fixed learning rate (Keras's float `learning_rate`).
public struct ConstantLearningRate: LearningRateSchedule {
    public var value: Float
    public init(_ value: Float) { self.value = value }
    public func callAsFunction(step: Int) -> Float { value }
}

/// Throws unless `value` > 0 (Keras's check on decay_steps / first_decay_steps).
func requirePositive(_ value: Double, _ argument: String, in owner: String) throws {
    guard value > 0, value.isFinite else {
        throw OptimizerError.invalidArgument(owner: owner, argument: argument, value: "\(value)", expected: "a value > 0")
    }
}

/// Keras `LearningRateScheduler`: at the start of each epoch sets the learning rate to
/// `schedule(epoch, current_lr)` (epoch 0-based), as `optimizer.learningRateOverride`,
/// and logs `learning_rate` at the epoch end. Keras takes a Python function; here a
/// closure, a `LearningRateSchedule` evaluated at the epoch index, or a list of rates.
public final class LearningRateScheduler: Callback {
    public let schedule: (_ epoch: Int, _ lr: Float) -> Float
    public let verbose: Int
    public var log: (String) -> Void = { print($0) }

    public init(verbose: Int = 0, _ schedule: @escaping (_ epoch: Int, _ lr: Float) -> Float) {
        self.schedule = schedule; self.verbose = verbose
    }

    /// Evaluates `schedule` at the epoch index (instead of the step count).
    public convenience init(_ schedule: any LearningRateSchedule, verbose: Int = 0) {
        self.init(verbose: verbose) { epoch, _ in schedule(step: epoch) }
    }

    /// Epoch `i` uses `rates[i]`; epochs past the list keep its last rate.
    public convenience init(rates: [Float], verbose: Int = 0) throws {
        guard let last = rates.last else {
            throw CallbackError.invalidArgument(callback: "LearningRateScheduler", message: "the list of rates is empty")
        }
        self.init(verbose: verbose) { epoch, _ in epoch < rates.count ? rates[epoch] : last }
    }

    public func onEpochBegin(_ epoch: Int, model: Model) {
        guard let optimizer = model.optimizer else { return }
        let lr = schedule(epoch, optimizer.currentLearningRate)
        optimizer.learningRateOverride = lr
        if verbose > 0 { log("\nEpoch \(epoch + 1): LearningRateScheduler setting learning rate to \(lr).") }
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        if let optimizer = model.optimizer { logs["learning_rate"] = Double(optimizer.currentLearningRate) }
    }
}

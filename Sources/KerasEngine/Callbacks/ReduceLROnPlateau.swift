/// Keras `ReduceLROnPlateau`: when `monitor` has not improved (by `min_delta`) for
/// `patience` epochs, multiplies the learning rate by `factor` (not below `min_lr`),
/// then waits `cooldown` epochs before counting again:
///
///     lr ← max(lr · factor, min_lr)   if lr > min_lr
///
/// The new rate is set as `optimizer.learningRateOverride`; `learning_rate` is logged.
public final class ReduceLROnPlateau: StatefulCallback {
    public struct Config: Sendable {
        public var monitor = "val_loss"
        public var factor: Double = 0.1
        public var patience = 10
        public var verbose = 0
        public var mode: MonitorMode = .auto
        public var minDelta: Double = 1e-4
        public var cooldown = 0
        public var minLR: Double = 0
        public init() {}
    }

    public let config: Config
    private var monitor: Monitor
    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0
    public private(set) var best: Double?
    public var log: (String) -> Void = { print($0) }
    public var stateKey: String
    private var pending: CallbackState?

    public init(_ config: Config = Config()) throws {
        guard config.factor < 1 else {
            throw CallbackError.invalidArgument(callback: "ReduceLROnPlateau", message: "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(PythonFormat.repr(config.factor))")
        }
        self.config = config
        monitor = Monitor(callback: "ReduceLROnPlateau", monitor: config.monitor, mode: config.mode, minDelta: config.minDelta)
        stateKey = "ReduceLROnPlateau:\(config.monitor)"
    }

    /// Keras's argument list.
    public convenience init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, verbose: Int = 0,
                            mode: MonitorMode = .auto, minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0) throws {
        var c = Config()
        c.monitor = monitor; c.factor = factor; c.patience = patience; c.verbose = verbose; c.mode = mode
        c.minDelta = minDelta; c.cooldown = cooldown; c.minLR = minLR
        try self.init(c)
    }

    public var callbackState: CallbackState { CallbackState(best: best, wait: wait, cooldownCounter: cooldownCounter) }
    public func restoreOnTrainBegin(_ state: CallbackState) { pending = state }
    public var inCooldown: Bool { cooldownCounter > 0 }

    public func onTrainBegin(model: Model) {
        best = pending?.best
        cooldownCounter = pending?.cooldownCounter ?? 0
        wait = pending?.wait ?? 0
        pending = nil
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        try monitor.resolve(model: model)
        guard let optimizer = model.optimizer else { throw TrainingError.notCompiled }
        logs["learning_rate"] = Double(optimizer.currentLearningRate)
        guard let current = logs[config.monitor] else {
            log("Warning: learning rate reduction is conditioned on metric `\(config.monitor)` which is not available. Available metrics are: \(logs.keys.joined(separator: ",")).")
            return
        }
        if inCooldown { cooldownCounter -= 1; wait = 0 }
        if monitor.isImprovement(current, over: best) {
            best = current
            wait = 0
        } else if !inCooldown {
            wait += 1
            if wait >= config.patience {
                let old = Double(optimizer.currentLearningRate)
                if old > Double(Float(config.minLR)) {
                    let new = Swift.max(old * config.factor, config.minLR)
                    optimizer.learningRateOverride = Float(new)
                    if config.verbose > 0 { log("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(PythonFormat.repr(new)).") }
                    cooldownCounter = config.cooldown
                    wait = 0
                }
            }
        }
    }
}

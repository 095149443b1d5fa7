/// Keras `EarlyStopping`: stops `fit` when `monitor` has not improved for `patience`
/// epochs. Each epoch from `start_from_epoch` on: `wait += 1`; an improvement
/// (`Monitor.isImprovement`, with `min_delta`) records the best value and resets `wait`
/// only if it also beats `baseline`; otherwise, when `wait >= patience` and epoch > 0,
/// training stops. With `restore_best_weights` the best epoch's weights are kept in memory
/// and put back at the end of training.
public final class EarlyStopping: StatefulCallback {
    public struct Config: Sendable {
        public var monitor = "val_loss"
        public var minDelta: Double = 0
        public var patience = 0
        public var verbose = 0
        public var mode: MonitorMode = .auto
        public var baseline: Double?
        public var restoreBestWeights = false
        public var startFromEpoch = 0
        public init() {}
    }

    public let config: Config
    private var monitor: Monitor
    public private(set) var wait = 0
    /// The epoch training stopped at (0 when it did not stop).
    public private(set) var stoppedEpoch = 0
    public private(set) var best: Double?
    public private(set) var bestEpoch = 0
    /// The weights of the best epoch (with `restore_best_weights`); save them for resume.
    public var bestWeights: [String: Tensor]?
    /// Receives the `verbose` messages and the missing-monitor warning (default: print).
    public var log: (String) -> Void = { print($0) }
    public var stateKey: String
    private var pending: CallbackState?

    public init(_ config: Config = Config()) {
        self.config = config
        monitor = Monitor(callback: "EarlyStopping", monitor: config.monitor, mode: config.mode, minDelta: config.minDelta)
        stateKey = "EarlyStopping:\(config.monitor)"
    }

    /// Keras's argument list.
    public convenience init(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, verbose: Int = 0,
                            mode: MonitorMode = .auto, baseline: Double? = nil, restoreBestWeights: Bool = false,
                            startFromEpoch: Int = 0) {
        var c = Config()
        c.monitor = monitor; c.minDelta = minDelta; c.patience = patience; c.verbose = verbose; c.mode = mode
        c.baseline = baseline; c.restoreBestWeights = restoreBestWeights; c.startFromEpoch = startFromEpoch
        self.init(c)
    }

    public var callbackState: CallbackState { CallbackState(best: best, wait: wait, bestEpoch: bestEpoch) }
    public func restoreOnTrainBegin(_ state: CallbackState) { pending = state }

    public func onTrainBegin(model: Model) {
        wait = pending?.wait ?? 0
        best = pending?.best
        bestEpoch = pending?.bestEpoch ?? 0
        stoppedEpoch = 0
        if pending == nil { bestWeights = nil }
        pending = nil
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        try monitor.resolve(model: model)
        guard let current = logs[config.monitor] else {
            log("Warning: early stopping conditioned on metric `\(config.monitor)` which is not available. Available metrics are: \(logs.keys.joined(separator: ","))")
            return
        }
        guard epoch >= config.startFromEpoch else { return }
        if config.restoreBestWeights && bestWeights == nil {
            bestWeights = model.weightsDictionary
            bestEpoch = epoch
        }
        wait += 1
        if monitor.isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if config.restoreBestWeights { bestWeights = model.weightsDictionary }
            if config.baseline == nil || monitor.isImprovement(current, over: config.baseline) { wait = 0 }
            return
        }
        if wait >= config.patience && epoch > 0 {
            stoppedEpoch = epoch
            model.stopTraining = true
        }
    }

    public func onTrainEnd(model: Model, logs: Logs) {
        if stoppedEpoch > 0 && config.verbose > 0 { log("Epoch \(stoppedEpoch + 1): early stopping") }
        if config.restoreBestWeights, let w = bestWeights {
            if config.verbose > 0 { log("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            // Taken from this same model, so every name and shape fits.
            try? model.loadWeights(w)
        }
    }
}

import Foundation

/// Keras `ModelCheckpoint`: saves the model (or only its weights) every epoch, or every
/// `save_freq` batches, to `filepath` formatted with `epoch` (1-based) and the logs, e.g.
/// `ckpt/weights.{epoch:02d}-{val_loss:.2f}.safetensors`. With `save_best_only` it saves
/// only when `monitor` improves on the best so far (which starts at
/// `initial_value_threshold`). The writing itself is the `save` closure's job (the CLI
/// writes a model directory); missing folders on the path are created first.
public final class ModelCheckpoint: StatefulCallback {
    /// Keras's `save_freq`: `"epoch"` or a number of batches.
    public enum SaveFrequency: Sendable, Equatable { case epoch, batches(Int) }

    public struct Config: Sendable {
        public var filepath: String
        public var monitor = "val_loss"
        public var verbose = 0
        public var saveBestOnly = false
        public var saveWeightsOnly = false
        public var mode: MonitorMode = .auto
        public var saveFreq: SaveFrequency = .epoch
        public var initialValueThreshold: Double?
        public init(filepath: String) { self.filepath = filepath }
    }

    /// Writes `model` to the formatted path; `epoch` is 0-based.
    public typealias Save = (_ model: Model, _ path: String, _ epoch: Int, _ logs: Logs) throws -> Void

    public let config: Config
    private let save: Save
    private var monitor: Monitor
    public private(set) var best: Double?
    /// Every path written, in order.
    public private(set) var savedPaths: [String] = []
    public var log: (String) -> Void = { print($0) }
    public var stateKey: String
    private var currentEpoch = 0
    private var batchesSinceSave = 0
    private var lastBatchSeen: Int?
    /// A failure while saving on a batch end (which cannot throw), raised at the epoch end.
    private var deferredError: Error?

    public init(_ config: Config, save: @escaping Save) throws {
        if case let .batches(n) = config.saveFreq, n <= 0 {
            throw CallbackError.invalidArgument(callback: "ModelCheckpoint", message: "Unrecognized save_freq: \(n). Expected save_freq are 'epoch' or positive integer values")
        }
        self.config = config
        self.save = save
        monitor = Monitor(callback: "ModelCheckpoint", monitor: config.monitor, mode: config.mode, minDelta: 0)
        best = config.initialValueThreshold
        stateKey = "ModelCheckpoint:\(config.filepath)"
    }

    /// Keras's argument list.
    public convenience init(filepath: String, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
                            saveWeightsOnly: Bool = false, mode: MonitorMode = .auto, saveFreq: SaveFrequency = .epoch,
                            initialValueThreshold: Double? = nil, save: @escaping Save) throws {
        var c = Config(filepath: filepath)
        c.monitor = monitor; c.verbose = verbose; c.saveBestOnly = saveBestOnly; c.saveWeightsOnly = saveWeightsOnly
        c.mode = mode; c.saveFreq = saveFreq; c.initialValueThreshold = initialValueThreshold
        try self.init(c, save: save)
    }

    public var callbackState: CallbackState { CallbackState(best: best) }
    /// Keras keeps `best` across fits, so the restored value applies at once.
    public func restoreOnTrainBegin(_ state: CallbackState) { best = state.best }

    public func onEpochBegin(_ epoch: Int, model: Model) { currentEpoch = epoch }

    public func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) {
        guard case let .batches(freq) = config.saveFreq, deferredError == nil else { return }
        let add = lastBatchSeen.map { batch <= $0 ? batch + 1 : batch - $0 } ?? batch + 1
        batchesSinceSave += add
        lastBatchSeen = batch
        guard batchesSinceSave >= freq else { return }
        batchesSinceSave = 0
        do { try saveModel(model, epoch: currentEpoch, batch: batch, logs: logs) } catch { deferredError = error }
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        if let e = deferredError { deferredError = nil; throw e }
        try monitor.resolve(model: model)  // Keras resolves the mode every epoch end, saving or not
        if config.saveFreq == .epoch { try saveModel(model, epoch: epoch, batch: nil, logs: logs) }
    }

    /// The path for `epoch` (0-based) and `batch` (0-based, nil at an epoch end), as Keras's `_get_file_path`.
    public func filePath(epoch: Int, batch: Int?, logs: Logs) throws -> String {
        var values = logs.values.mapValues { PythonFormat.Value.double($0) }
        values["epoch"] = .int(epoch + 1)
        if let batch, logs["batch"] == nil { values["batch"] = .int(batch + 1) }
        do { return try PythonFormat.format(config.filepath, values) } catch {
            throw CallbackError.invalidArgument(callback: "ModelCheckpoint", message: "Failed to format this callback filepath: \"\(config.filepath)\". Reason: \(error)")
        }
    }

    private func saveModel(_ model: Model, epoch: Int, batch: Int?, logs: Logs) throws {
        try monitor.resolve(model: model)
        let path = try filePath(epoch: epoch, batch: batch, logs: logs)
        guard shouldSave(epoch: epoch, logs: logs, path: path) else { return }
        let folder = AtomicFile.directory(of: path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw CallbackError.failed(callback: "ModelCheckpoint", message: "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: \(path)")
        }
        try OutputPath.prepareFolder(folder)
        try save(model, path, epoch, logs)
        savedPaths.append(path)
        if config.verbose > 0 { log("\nEpoch \(epoch + 1): finished saving model to \(path)") }
    }

    private func shouldSave(epoch: Int, logs: Logs, path: String) -> Bool {
        guard config.saveBestOnly else {
            if config.verbose > 0 { log("\nEpoch \(epoch + 1): saving model to \(path)") }
            return true
        }
        guard let current = logs[config.monitor] else {
            log("Warning: can save best model only with \(config.monitor) available.")
            return true
        }
        let bestText = best.map { String(format: "%.5f", $0) } ?? "None"
        if monitor.isImprovement(current, over: best) {
            if config.verbose > 0 { log("\nEpoch \(epoch + 1): \(config.monitor) improved from \(bestText) to \(String(format: "%.5f", current)), saving model to \(path)") }
            best = current
            return true
        }
        if config.verbose > 0 { log("\nEpoch \(epoch + 1): \(config.monitor) did not improve from \(bestText)") }
        return false
    }
}

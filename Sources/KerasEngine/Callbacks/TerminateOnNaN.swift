/// Keras `TerminateOnNaN`: when a batch's `loss` is NaN or infinite, stops training
/// (`model.stopTraining`) and records that it fired, so the CLI exits with status 1. With
/// `raise_error` the epoch end throws instead. (The epoch's mean loss is checked too, in
/// case the trainer reports no batch ends.)
public final class TerminateOnNaN: Callback {
    public let raiseError: Bool
    /// Set when a non-finite loss was seen: the 0-based epoch and batch (nil for the epoch mean).
    public private(set) var fired: (epoch: Int, batch: Int?, loss: Double)?
    public var log: (String) -> Void = { print($0) }
    private var epoch = 0

    public init(raiseError: Bool = false) { self.raiseError = raiseError }

    public var didFire: Bool { fired != nil }

    public func onTrainBegin(model: Model) { fired = nil }
    public func onEpochBegin(_ epoch: Int, model: Model) { self.epoch = epoch }

    public func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) {
        guard fired == nil, let loss = logs["loss"], !loss.isFinite else { return }
        fired = (epoch, batch, loss)
        if !raiseError { log("Batch \(batch): Invalid loss, terminating training") }
        model.stopTraining = true
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        if fired == nil, let loss = logs["loss"], !loss.isFinite {
            fired = (epoch, nil, loss)
            if !raiseError { log("Epoch \(epoch): Invalid loss, terminating training") }
            model.stopTraining = true
        }
        if raiseError, let f = fired {
            throw CallbackError.failed(callback: "TerminateOnNaN", message:
                "NaN or Inf loss encountered at \(f.batch.map { "batch \($0)" } ?? "epoch \(f.epoch)"). Loss value: \(PythonFormat.repr(f.loss)). Terminating training immediately.")
        }
    }
}

/// Per-epoch (and per-batch) values: `loss`, metrics, `val_*`, `learning_rate`.
public struct Logs: Sendable, Codable, Equatable {
    public var values: [String: Double] = [:]
    public init(_ values: [String: Double] = [:]) { self.values = values }
    public subscript(key: String) -> Double? {
        get { values[key] }
        set { values[key] = newValue }
    }
    /// Keys in print order: alphabetical, as Keras prints them.
    public var keys: [String] { values.keys.sorted() }
}

/// Keras's callback hooks. Every method has an empty default.
public protocol Callback: AnyObject {
    func onTrainBegin(model: Model)
    func onEpochBegin(_ epoch: Int, model: Model)
    func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model)
    /// `logs` may be changed (e.g. ReduceLROnPlateau records the new learning rate).
    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws
    func onTrainEnd(model: Model, logs: Logs)
}

extension Callback {
    public func onTrainBegin(model: Model) {}
    public func onEpochBegin(_ epoch: Int, model: Model) {}
    public func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) {}
    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {}
    public func onTrainEnd(model: Model, logs: Logs) {}
}

/// Keras's `History`: every epoch's logs.
public final class History: Callback, Codable {
    public private(set) var epochs: [Int] = []
    public private(set) var logs: [Logs] = []
    public init() {}
    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        epochs.append(epoch); self.logs.append(logs)
    }
}

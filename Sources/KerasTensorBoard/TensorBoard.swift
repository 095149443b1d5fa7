import Foundation
import KerasEngine

/// Keras's `TensorBoard` callback: event files TensorBoard reads, laid out as Keras 3 writes
/// them with TensorFlow's summaries (keras/src/callbacks/tensorboard.py):
///
/// - `log_dir/train/`: `epoch_<key>` for each training log (`epoch_loss`, `epoch_accuracy`,
///   ...) and `epoch_learning_rate`, at step = epoch (0-based); with `update_freq` `batch`
///   or N, `batch_<key>` every N-th batch at step = batches since training began (1-based);
///   with `histogram_freq` N, every N-th epoch a histogram of each weight,
///   `<layer>/<weight>/histogram` (the weight's Keras path).
/// - `log_dir/validation/`: `epoch_<key>` for each `val_<key>` log, and
///   `evaluation_<key>_vs_iterations` at step = optimizer iterations.
/// - `write_steps_per_second`: `epoch_steps_per_second` (and `batch_steps_per_second`).
///
/// With `write_graph` (the default), `log_dir/train/` also gets the `keras` tag at step 0:
/// the model's Keras JSON (`modelJSON`, set by whoever can serialize the model) that
/// TensorBoard's graph dashboard draws, as Keras writes for Sequential and Functional models.
/// Keras's TensorFlow backend also writes the traced train function's op graph, which
/// kerasctl has none of (nor has Keras under JAX). `write_images`, `profile_batch` and
/// `embeddings_freq` take only their defaults (off).
///
/// Histogram tags are Keras 3's variable paths: a Sequential model's weights sit under the
/// model's name (`fashion_mlp/dense/kernel/histogram`), a functional model's under their
/// layer's (`dense/kernel/histogram`).
public final class TensorBoard: Callback {
    public enum UpdateFreq: Equatable, Sendable {
        case epoch
        /// Every N batches (`"batch"` is 1).
        case batches(Int)
    }

    public struct Config: Sendable {
        public var logDir = "logs"
        public var histogramFreq = 0
        public var writeGraph = true
        public var writeStepsPerSecond = false
        public var updateFreq = UpdateFreq.epoch
        public init() {}
    }

    public let config: Config
    /// The model's Keras JSON (`model.to_json()`), written as the `keras` tag when
    /// `write_graph` is on; nil writes none (as Keras does when a model cannot serialize).
    public var modelJSON: String?
    private var train: EventFileWriter?
    private var validation: EventFileWriter?
    private var failure: Error?
    private var globalBatch = 0
    private var epochStart = Date()
    private var epochBatches = 0
    private var batchStart = Date()

    public init(_ config: Config) throws {
        if config.histogramFreq < 0 { throw CallbackError.invalidArgument(callback: "TensorBoard", message: "histogram_freq must be >= 0, got \(config.histogramFreq)") }
        if case .batches(let n) = config.updateFreq, n < 1 {
            throw CallbackError.invalidArgument(callback: "TensorBoard", message: "update_freq must be 'epoch', 'batch' or a positive integer, got \(n)")
        }
        self.config = config
    }

    public var trainDir: String { (config.logDir as NSString).appendingPathComponent("train") }
    public var validationDir: String { (config.logDir as NSString).appendingPathComponent("validation") }

    public func onTrainBegin(model: Model) {
        globalBatch = 0
        failure = nil
        train = nil; validation = nil
        if config.writeGraph, let json = modelJSON {
            record { try writer(&train, trainDir).write(Summaries.kerasModel("keras", json: json, step: 0, wallTime: Date().timeIntervalSince1970)) }
        }
    }

    public func onEpochBegin(_ epoch: Int, model: Model) {
        epochStart = Date(); epochBatches = 0; batchStart = Date()
    }

    public func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) {
        globalBatch += 1; epochBatches += 1
        let now = Date()
        defer { batchStart = now }
        guard case .batches(let n) = config.updateFreq, globalBatch % n == 0, failure == nil else { return }
        var values = logs.values
        if config.writeStepsPerSecond { values["steps_per_second"] = 1 / Swift.max(now.timeIntervalSince(batchStart), 1e-9) }
        record {
            let w = try writer(&train, trainDir)
            for k in values.keys.sorted() { try w.write(Summaries.scalar("batch_" + k, values[k]!, step: globalBatch, wallTime: now.timeIntervalSince1970)) }
        }
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        if let failure { throw failure }
        let now = Date().timeIntervalSince1970
        var trainLogs = logs.values.filter { !$0.key.hasPrefix("val_") }
        let valLogs = logs.values.filter { $0.key.hasPrefix("val_") }
        if let optimizer = model.optimizer { trainLogs["learning_rate"] = Double(optimizer.currentLearningRate) }
        if config.writeStepsPerSecond {
            trainLogs["steps_per_second"] = Double(epochBatches) / Swift.max(Date().timeIntervalSince(epochStart), 1e-9)
        }
        let t = try writer(&train, trainDir)
        for k in trainLogs.keys.sorted() { try t.write(Summaries.scalar("epoch_" + k, trainLogs[k]!, step: epoch, wallTime: now)) }
        if config.histogramFreq > 0, epoch % config.histogramFreq == 0 {
            let scope = model is Sequential ? model.name + "/" : ""
            for layer in model.layers {
                for p in layer.parameters {
                    let tag = (scope + p.name).replacingOccurrences(of: ":", with: "_") + "/histogram"
                    try t.write(Summaries.histogram(tag, p.value.scalars, step: epoch, wallTime: now))
                }
            }
        }
        try t.flush()
        if !valLogs.isEmpty {
            let v = try writer(&validation, validationDir)
            let iterations = model.optimizer?.iterations ?? globalBatch
            for k in valLogs.keys.sorted() {
                let name = String(k.dropFirst(4))
                try v.write(Summaries.scalar("epoch_" + name, valLogs[k]!, step: epoch, wallTime: now))
                try v.write(Summaries.scalar("evaluation_\(name)_vs_iterations", valLogs[k]!, step: iterations, wallTime: now))
            }
            try v.flush()
        }
    }

    public func onTrainEnd(model: Model, logs: Logs) {
        train?.close(); validation?.close()
        train = nil; validation = nil
    }

    /// The writer of `folder`, made on first use (Keras creates event files lazily too).
    private func writer(_ slot: inout EventFileWriter?, _ folder: String) throws -> EventFileWriter {
        if let w = slot { return w }
        let w = try EventFileWriter(folder: folder)
        slot = w
        return w
    }

    /// Batch hooks cannot throw: the first failure is kept and thrown at the epoch's end.
    private func record(_ body: () throws -> Void) {
        do { try body() } catch { failure = error }
    }
}

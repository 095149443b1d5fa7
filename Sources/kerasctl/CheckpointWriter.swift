import Foundation
import KerasBuilder
import KerasData
import KerasEngine

/// Writes a complete checkpoint of the run into the model directory after every epoch,
/// so an interrupted run (Ctrl-C, kill -9) loses at most the epoch in progress.
final class CheckpointWriter: Callback {
    let store: ModelStore
    var manifest: ModelStore.Manifest
    let preprocessing: Preprocessing
    let seed: UInt64
    var history: [ModelStore.HistoryEntry]
    let callbacks: [any Callback]

    init(store: ModelStore, manifest: ModelStore.Manifest, preprocessing: Preprocessing, seed: UInt64,
         history: [ModelStore.HistoryEntry], callbacks: [any Callback]) {
        self.store = store; self.manifest = manifest; self.preprocessing = preprocessing
        self.seed = seed; self.history = history; self.callbacks = callbacks
    }

    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        history.append(.init(epoch: epoch + 1, logs: logs.values))
        manifest.epochsCompleted = epoch + 1
        let state = try TrainingState.capture(model: model, epochsCompleted: epoch + 1, seed: seed, callbacks: callbacks)
        var best: [String: [String: Tensor]] = [:]
        for case let e as EarlyStopping in callbacks where e.config.restoreBestWeights {
            if let w = e.bestWeights { best[e.stateKey] = w }
        }
        InterruptWatcher.saving = true
        defer { InterruptWatcher.saving = false }
        try store.writeCheckpoint(manifest: manifest, model: model, state: state, preprocessing: preprocessing,
                                  history: history, bestWeights: best)
        InterruptWatcher.saved = true
    }

    /// After `fit` returned: marks the run completed and, when EarlyStopping put the best
    /// epoch's weights back, stores those as the model's weights (as Keras's model holds
    /// them after `fit`).
    func finish(model: Model) throws {
        guard manifest.epochsCompleted > 0 else { return }
        InterruptWatcher.saving = true
        defer { InterruptWatcher.saving = false }
        if callbacks.contains(where: { ($0 as? EarlyStopping).map { $0.config.restoreBestWeights && $0.bestWeights != nil } ?? false }) {
            try store.replaceWeights(of: try store.manifest(), with: model)
        }
        var m = try store.manifest()
        m.completed = true
        try store.writeManifest(m)
    }
}

/// Ctrl-C: training stops at the next batch boundary (or after the checkpoint being
/// written), keeping the last completed epoch's checkpoint, and the process exits 130.
final class InterruptWatcher: Callback {
    nonisolated(unsafe) static var saving = false
    /// Whether a checkpoint has been written in this run (or the resumed one exists).
    nonisolated(unsafe) static var saved = false
    let directory: String?

    /// From here on Ctrl-C only asks training to stop (see `InterruptSignal`).
    init(directory: String?) {
        self.directory = directory
        InterruptSignal.armed.store(true, ordering: .releasing)
    }

    func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) { exitIfInterrupted() }
    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws { exitIfInterrupted() }

    /// Exits 130 with the message if Ctrl-C was pressed (and no checkpoint is being written).
    func exitIfInterrupted() {
        guard InterruptSignal.requested.load(ordering: .acquiring), !Self.saving else { return }
        let where_: String
        if let directory {
            where_ = Self.saved ? "; the model directory '\(directory)' holds the last completed epoch — continue with --resume \(directory)"
                : "; no epoch had completed, so '\(directory)' holds no model"
        } else { where_ = "" }
        if isatty(1) != 0 { print("") }
        fflush(nil)
        FileHandle.standardError.write(Data("kerasctl: interrupted\(where_)\n".utf8))
        Foundation.exit(130)
    }
}

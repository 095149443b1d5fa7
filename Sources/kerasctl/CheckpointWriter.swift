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
        InterruptWatcher.saving = true
        defer { InterruptWatcher.saving = false }
        try store.writeCheckpoint(manifest: manifest, model: model, state: state, preprocessing: preprocessing, history: history)
    }
}

/// Ctrl-C: training stops at the next batch boundary (or after the checkpoint being
/// written), keeping the last completed epoch's checkpoint, and the process exits 130.
final class InterruptWatcher: Callback {
    nonisolated(unsafe) static var interrupted = false
    nonisolated(unsafe) static var saving = false
    let directory: String?
    private let source: DispatchSourceSignal

    init(directory: String?) {
        self.directory = directory
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { InterruptWatcher.interrupted = true }
        source.resume()
    }

    func onBatchEnd(_ batch: Int, of batches: Int, logs: Logs, model: Model) { exitIfInterrupted() }
    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws { exitIfInterrupted() }

    private func exitIfInterrupted() {
        guard Self.interrupted, !Self.saving else { return }
        let where_ = directory.map { "; the model directory '\($0)' holds the last completed epoch — continue with --resume \($0)" } ?? ""
        FileHandle.standardError.write(Data("\nkerasctl: interrupted\(where_)\n".utf8))
        Foundation.exit(130)
    }
}

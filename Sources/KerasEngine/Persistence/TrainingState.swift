import Foundation

/// Everything besides the weights that a resumed `fit` needs to continue exactly as an
/// uninterrupted run: the epochs completed (the trainer re-derives the shuffle stream
/// from `FitOptions.seed` + `initialEpoch`, so this is the shuffle position too), the
/// optimizer's counters, each random layer's generator, and the progress of callbacks
/// that track a best value. Optimizer slot tensors are stored separately (safetensors,
/// `Optimizer.slotTensors`), as are EarlyStopping's best weights.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Format version of this record.
    public var version = 1
    /// Epochs finished; the resumed fit passes it as `initialEpoch`.
    public var epochsCompleted: Int
    /// The seed the run shuffled with (a resumed run must reuse it to continue identically).
    public var seed: UInt64
    public var optimizer: OptimizerState
    /// Generator state per random layer name.
    public var randomStates: [String: RNG]
    /// State per stateful callback, keyed by `StatefulCallback.stateKey`.
    public var callbacks: [String: CallbackState]

    public init(epochsCompleted: Int, seed: UInt64, optimizer: OptimizerState,
                randomStates: [String: RNG] = [:], callbacks: [String: CallbackState] = [:]) {
        self.epochsCompleted = epochsCompleted; self.seed = seed; self.optimizer = optimizer
        self.randomStates = randomStates; self.callbacks = callbacks
    }

    /// The state of `model` (compiled) after `epochsCompleted` epochs of a fit seeded with `seed`.
    public static func capture(model: Model, epochsCompleted: Int, seed: UInt64, callbacks: [any Callback] = []) throws -> TrainingState {
        guard let opt = model.optimizer else { throw TrainingError.notCompiled }
        var states: [String: CallbackState] = [:]
        for case let c as StatefulCallback in callbacks { states[c.stateKey] = c.callbackState }
        return TrainingState(epochsCompleted: epochsCompleted, seed: seed, optimizer: opt.state,
                             randomStates: model.randomStates, callbacks: states)
    }

    /// Restores the optimizer (with its `slotTensors`), the random layers and the callbacks'
    /// progress (applied at their next `onTrainBegin`). Call after loading the weights.
    public func restore(into model: Model, slotTensors: [String: Tensor], callbacks: [any Callback] = []) throws {
        guard version == 1 else { throw PersistenceError.incompatibleState("training state version \(version) is not supported (expected 1)") }
        guard let opt = model.optimizer else { throw TrainingError.notCompiled }
        let saved = (opt.slots, opt.iterations, opt.learningRateOverride)
        try opt.restore(state: optimizer, slotTensors: slotTensors, parameters: model.trainableParameters)
        do { try model.restoreRandomStates(randomStates) } catch {
            (opt.slots, opt.iterations, opt.learningRateOverride) = saved  // all or nothing
            throw error
        }
        for case let c as StatefulCallback in callbacks {
            if let s = self.callbacks[c.stateKey] { c.restoreOnTrainBegin(s) }
        }
    }

    /// Pretty, key-sorted JSON (non-finite numbers as strings).
    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(self)
    }

    /// Decodes `jsonData()`'s output; `path` names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> TrainingState {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try d.decode(TrainingState.self, from: data) } catch let e as DecodingError {
            throw PersistenceError.corrupt(path: path, reason: describe(e))
        }
    }

    private static func describe(_ e: DecodingError) -> String {
        func at(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? c.debugDescription : "\(p.dropFirst(p.hasPrefix(".") ? 1 : 0)): \(c.debugDescription)"
        }
        switch e {
        case let .keyNotFound(k, c): return "missing key '\(k.stringValue)'" + (c.codingPath.isEmpty ? "" : " in \(at(c))")
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): return at(c)
        @unknown default: return "\(e)"
        }
    }
}

/// The progress of a callback that tracks a monitored value (EarlyStopping,
/// ReduceLROnPlateau, ModelCheckpoint with save_best_only).
public struct CallbackState: Codable, Equatable, Sendable {
    /// Best monitored value so far (nil before the first).
    public var best: Double?
    /// Epochs since the last improvement.
    public var wait: Int
    /// The epoch of `best` (EarlyStopping).
    public var bestEpoch: Int
    /// Epochs of cooldown left (ReduceLROnPlateau).
    public var cooldownCounter: Int
    public init(best: Double? = nil, wait: Int = 0, bestEpoch: Int = 0, cooldownCounter: Int = 0) {
        self.best = best; self.wait = wait; self.bestEpoch = bestEpoch; self.cooldownCounter = cooldownCounter
    }
}

/// A callback whose progress is saved for resume. A restored state replaces the reset
/// that Keras does at `on_train_begin`, once.
public protocol StatefulCallback: Callback {
    /// Unique within a run's callbacks, e.g. `EarlyStopping` or `EarlyStopping:val_loss`.
    var stateKey: String { get }
    var callbackState: CallbackState { get }
    /// Makes the next `onTrainBegin` start from `state` instead of a fresh one.
    func restoreOnTrainBegin(_ state: CallbackState)
}

import Foundation
import KerasData
import KerasEngine
import KerasSpec

/// The model directory `train -o DIR` writes and `predict`, `evaluate`, `summary` and
/// `train --resume` read:
///
/// ```
/// DIR/model.json        manifest: format version, name, spec path, input shapes, current checkpoint
/// DIR/spec.yaml         the spec as written (rebuilds the model)
/// DIR/resolved.json     the resolved run: compile/fit settings with defaults, the model as Keras config
/// DIR/ckpt-000005/      one complete checkpoint:
///     weights.safetensors      the model's weights (Keras names: dense/kernel, ...)
///     optimizer.safetensors    optimizer slots (resume)
///     state.json               epochs completed, optimizer iterations, random and callback state
///     preprocessing.json       rescale, standardize statistics, reshape, feature and class names
///     history.json, history.csv
///     best_weights.safetensors EarlyStopping(restore_best_weights)'s best weights so far (resume)
/// ```
/// Every file is written atomically, a checkpoint folder is complete before the manifest
/// names it, and the manifest is replaced atomically, so an interrupted run leaves the
/// previous checkpoint as the current one.
public struct ModelStore {
    public static let formatName = "kerasctl-model"
    public static let formatVersion = 1

    public struct Manifest: Codable, Equatable {
        public var format = ModelStore.formatName
        public var formatVersion = ModelStore.formatVersion
        public var name: String
        /// Where the spec was when the model was trained (relative data paths resolve from its folder).
        public var specPath: String
        public var inputShapes: [[Int]]
        public var seed: UInt64
        public var checkpoint: String
        public var epochsCompleted: Int
        public var epochsPlanned: Int
        /// The batch size the run trained with (a resumed run keeps it).
        public var batchSize: Int?
        /// True once `fit` returned (every epoch ran, or a callback such as EarlyStopping stopped it).
        public var completed: Bool?
        public init(name: String, specPath: String, inputShapes: [[Int]], seed: UInt64, checkpoint: String,
                    epochsCompleted: Int, epochsPlanned: Int, batchSize: Int? = nil) {
            self.batchSize = batchSize
            self.name = name; self.specPath = specPath; self.inputShapes = inputShapes; self.seed = seed
            self.checkpoint = checkpoint; self.epochsCompleted = epochsCompleted; self.epochsPlanned = epochsPlanned
        }
        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", name, specPath = "spec_path", inputShapes = "input_shapes", seed
            case checkpoint, epochsCompleted = "epochs_completed", epochsPlanned = "epochs_planned"
            case batchSize = "batch_size", completed
        }
    }

    /// One epoch's history line.
    public struct HistoryEntry: Codable, Equatable {
        public var epoch: Int
        public var logs: [String: Double]
        public init(epoch: Int, logs: [String: Double]) { self.epoch = epoch; self.logs = logs }
    }

    public let directory: String
    public init(_ directory: String) { self.directory = directory }

    /// A file in the directory.
    public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// True when `path` looks like a model directory.
    public static func isModelDirectory(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("model.json"))
    }

    // MARK: Writing

    /// Creates the directory and writes the spec text (once, before training).
    public func create(specText: String) throws {
        try OutputPath.prepareFolder(directory)
        try AtomicFile.write(specText, to: path("spec.yaml"))
    }

    /// Writes `resolved.json` (what the run used, defaults included).
    public func writeResolved(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: path("resolved.json"))
    }

    /// Writes a complete checkpoint folder, then points the manifest at it and removes older ones.
    /// `bestWeights` maps a callback's state key to the weights it keeps (EarlyStopping
    /// with `restore_best_weights`), stored as `best_weights.safetensors`, `best_weights-2...`.
    public func writeCheckpoint(manifest: Manifest, model: Model, state: TrainingState, preprocessing: Preprocessing,
                                history: [HistoryEntry], bestWeights: [String: [String: Tensor]] = [:]) throws {
        let name = String(format: "ckpt-%06d", manifest.epochsCompleted)
        let staging = path(".staging-" + name)
        let fm = FileManager.default
        try? fm.removeItem(atPath: staging)
        do { try fm.createDirectory(atPath: staging, withIntermediateDirectories: true) } catch {
            throw PersistenceError.io(operation: "create directory", path: staging, reason: error.localizedDescription)
        }
        func file(_ n: String) -> String { (staging as NSString).appendingPathComponent(n) }
        try model.saveWeights(to: file("weights.safetensors"), metadata: ["format": "pt", "producer": "kerasctl"])
        if let opt = model.optimizer { try Safetensors.write(opt.slotTensors, metadata: nil, to: file("optimizer.safetensors")) }
        try AtomicFile.write(try state.jsonData(), to: file("state.json"))
        try AtomicFile.write(try JSONEncoder.pretty.encode(preprocessing), to: file("preprocessing.json"))
        try AtomicFile.write(try JSONEncoder.pretty.encode(history), to: file("history.json"))
        try AtomicFile.write(Self.historyCSV(history), to: file("history.csv"))
        for (i, key) in bestWeights.keys.sorted().enumerated() {
            let w = bestWeights[key]!.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            try Safetensors.write(w, metadata: ["callback": key], to: file(i == 0 ? "best_weights.safetensors" : "best_weights-\(i + 1).safetensors"))
        }
        let final = path(name)
        try? fm.removeItem(atPath: final)
        do { try fm.moveItem(atPath: staging, toPath: final) } catch {
            throw PersistenceError.io(operation: "rename", path: final, reason: error.localizedDescription)
        }
        var m = manifest
        m.checkpoint = name
        try writeManifest(m)
        // Older checkpoints are no longer current.
        for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix("ckpt-") && entry != name {
            try? fm.removeItem(atPath: path(entry))
        }
    }

    /// Replaces the manifest atomically.
    public func writeManifest(_ m: Manifest) throws {
        try AtomicFile.write(try JSONEncoder.pretty.encode(m), to: path("model.json"))
    }

    /// Replaces the current checkpoint's weights (atomically): the weights a finished `fit`
    /// ends with when EarlyStopping put the best epoch's weights back.
    public func replaceWeights(of manifest: Manifest, with model: Model) throws {
        let file = (path(manifest.checkpoint) as NSString).appendingPathComponent("weights.safetensors")
        try model.saveWeights(to: file, metadata: ["format": "pt", "producer": "kerasctl"])
    }

    static func historyCSV(_ history: [HistoryEntry]) -> String {
        let keys = Array(Set(history.flatMap { $0.logs.keys })).sorted()
        var lines = [(["epoch"] + keys).joined(separator: ",")]
        for h in history { lines.append(([String(h.epoch)] + keys.map { h.logs[$0].map { "\($0)" } ?? "" }).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Reading

    /// A trained model read back for inference: the spec, the model with its weights
    /// (not compiled) and the preprocessing.
    public struct Stored {
        public var manifest: Manifest
        public var spec: Spec
        public var model: Model
        public var preprocessing: Preprocessing
        /// The current checkpoint folder.
        public var checkpoint: String

        public init(manifest: Manifest, spec: Spec, model: Model, preprocessing: Preprocessing, checkpoint: String) {
            self.manifest = manifest; self.spec = spec; self.model = model
            self.preprocessing = preprocessing; self.checkpoint = checkpoint
        }
    }

    /// Everything `train --resume` needs besides ``Stored``.
    public struct Loaded {
        public var manifest: Manifest
        public var spec: Spec
        public var model: Model
        public var preprocessing: Preprocessing
        public var state: TrainingState
        public var optimizerSlots: [String: Tensor]
        public var history: [HistoryEntry]
        /// EarlyStopping's best weights per callback state key.
        public var bestWeights: [String: [String: Tensor]]
    }

    /// Reads the manifest (a corrupt or foreign directory is a clear error).
    public func manifest() throws -> Manifest {
        let p = path("model.json")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw DataError(file: directory, "not a kerasctl model directory (no such directory)")
        }
        guard let data = FileManager.default.contents(atPath: p) else {
            throw DataError(file: directory, "not a kerasctl model directory (no model.json; was the run stopped before its first epoch ended?)")
        }
        do {
            let m = try JSONDecoder().decode(Manifest.self, from: data)
            guard m.format == Self.formatName else { throw PersistenceError.corrupt(path: p, reason: "format is '\(m.format)', expected '\(Self.formatName)'") }
            guard m.formatVersion <= Self.formatVersion else {
                throw PersistenceError.corrupt(path: p, reason: "format version \(m.formatVersion) is newer than this kerasctl reads (\(Self.formatVersion))")
            }
            return m
        } catch let e as PersistenceError { throw e } catch {
            throw PersistenceError.corrupt(path: p, reason: "unreadable manifest (\(Self.describe(error)))")
        }
    }

    /// The current checkpoint's history, one entry per epoch (`kerasctl plot`). Safe while
    /// training runs: when a new checkpoint replaced the one the manifest named (it is removed
    /// once the manifest names its successor), the manifest is read again.
    public func history() throws -> [HistoryEntry] {
        var attempt = 0
        while true {
            let file = (path(try manifest().checkpoint) as NSString).appendingPathComponent("history.json")
            attempt += 1
            if attempt < 3 && !FileManager.default.fileExists(atPath: file) { continue }
            return try decode(file)
        }
    }

    /// Rebuilds the model from the stored spec and loads the current checkpoint's weights
    /// and preprocessing. Anything missing or unreadable is a `PersistenceError` naming the file.
    /// With `weights: false` (`summary`) the model is built with stand-in weights and only
    /// the weights file's header is read and checked against it.
    public func loadModel(weights: Bool = true) throws -> Stored {
        let m = try manifest()
        let specFile = path("spec.yaml")
        let specText: String
        do { specText = try String(contentsOfFile: specFile, encoding: .utf8) } catch {
            throw PersistenceError.corrupt(path: specFile, reason: "missing or unreadable spec")
        }
        let ck = path(m.checkpoint)
        var isDir: ObjCBool = false
        guard !m.checkpoint.isEmpty, !m.checkpoint.contains("/"), FileManager.default.fileExists(atPath: ck, isDirectory: &isDir), isDir.boolValue else {
            throw DataError(file: path("model.json"), "names checkpoint '\(m.checkpoint)', which is missing (damaged model directory)")
        }
        // Parse as if at its original place so relative data paths still resolve; a
        // stored spec that no longer builds is a damaged directory, not a usage error.
        let spec: Spec, model: Model
        do {
            spec = try Spec.parse(text: specText, file: m.specPath)
            model = try weights ? ModelBuilder.build(spec, inputShapes: m.inputShapes, seed: m.seed)
                : WeightAllocation.withoutValues { try ModelBuilder.build(spec, inputShapes: m.inputShapes, seed: m.seed) }
        } catch let e as SpecError {
            throw PersistenceError.corrupt(path: specFile, reason: "the stored spec does not build: \(e.description)")
        } catch let e as ShapeError {
            throw PersistenceError.corrupt(path: specFile, reason: "the stored spec does not build: \(e.description)")
        }
        func file(_ n: String) -> String { (ck as NSString).appendingPathComponent(n) }
        if weights { try model.loadWeights(from: file("weights.safetensors")) } else { try model.checkWeights(in: file("weights.safetensors")) }
        let pre: Preprocessing = try decode(file("preprocessing.json"))
        return Stored(manifest: m, spec: spec, model: model, preprocessing: pre, checkpoint: ck)
    }

    /// Everything a resumed run needs: the model, optimizer slots, training and callback state, history.
    public func load() throws -> Loaded {
        let s = try loadModel()
        func file(_ n: String) -> String { (s.checkpoint as NSString).appendingPathComponent(n) }
        guard let stateData = FileManager.default.contents(atPath: file("state.json")) else {
            throw PersistenceError.corrupt(path: file("state.json"), reason: "missing file")
        }
        let state = try TrainingState.decode(stateData, path: file("state.json"))
        var slots: [String: Tensor] = [:]
        if FileManager.default.fileExists(atPath: file("optimizer.safetensors")) {
            slots = try Safetensors.read(file("optimizer.safetensors")).dictionary
        }
        var best: [String: [String: Tensor]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: s.checkpoint)) ?? []
        for name in entries.sorted() where name.hasPrefix("best_weights") && name.hasSuffix(".safetensors") {
            let c = try Safetensors.read(file(name))
            guard let key = c.metadata["callback"] else { throw PersistenceError.corrupt(path: file(name), reason: "no 'callback' in its metadata") }
            best[key] = c.dictionary
        }
        let history: [HistoryEntry] = (try? decode(file("history.json"))) ?? []
        return Loaded(manifest: s.manifest, spec: s.spec, model: s.model, preprocessing: s.preprocessing, state: state,
                      optimizerSlots: slots, history: history, bestWeights: best)
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case let .keyNotFound(k, _): return "missing key '\(k.stringValue)'"
            case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c):
                let at = c.codingPath.map(\.stringValue).joined(separator: ".")
                return (at.isEmpty ? "" : at + ": ") + (c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription)
            @unknown default: break
            }
        }
        return error.localizedDescription
    }

    private func decode<T: Decodable>(_ p: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: p) else { throw PersistenceError.corrupt(path: p, reason: "missing file") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw PersistenceError.corrupt(path: p, reason: "unreadable JSON (\(Self.describe(error)))")
        }
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }
}

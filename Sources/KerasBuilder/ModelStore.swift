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
/// DIR/resolved.json     the resolved run: every compile/fit default filled in
/// DIR/ckpt-000005/      one complete checkpoint:
///     weights.safetensors      the model's weights (Keras names: dense/kernel, ...)
///     optimizer.safetensors    optimizer slots (resume)
///     state.json               epochs completed, optimizer iterations, random and callback state
///     preprocessing.json       rescale, standardize statistics, reshape, class names
///     history.json, history.csv
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
        public init(name: String, specPath: String, inputShapes: [[Int]], seed: UInt64, checkpoint: String,
                    epochsCompleted: Int, epochsPlanned: Int) {
            self.name = name; self.specPath = specPath; self.inputShapes = inputShapes; self.seed = seed
            self.checkpoint = checkpoint; self.epochsCompleted = epochsCompleted; self.epochsPlanned = epochsPlanned
        }
        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", name, specPath = "spec_path", inputShapes = "input_shapes", seed
            case checkpoint, epochsCompleted = "epochs_completed", epochsPlanned = "epochs_planned"
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

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// True when `path` looks like a model directory.
    public static func isModelDirectory(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("model.json"))
    }

    // MARK: Writing

    /// Creates the directory and writes the spec text (once, before training).
    public func create(specText: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw PersistenceError.io(operation: "create directory", path: directory, reason: error.localizedDescription)
        }
        try AtomicFile.write(specText, to: path("spec.yaml"))
    }

    /// Writes `resolved.json` (what the run used, defaults included).
    public func writeResolved(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: path("resolved.json"))
    }

    /// Writes a complete checkpoint folder, then points the manifest at it and removes older ones.
    public func writeCheckpoint(manifest: Manifest, model: Model, state: TrainingState, preprocessing: Preprocessing,
                                history: [HistoryEntry]) throws {
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
        let final = path(name)
        try? fm.removeItem(atPath: final)
        do { try fm.moveItem(atPath: staging, toPath: final) } catch {
            throw PersistenceError.io(operation: "rename", path: final, reason: error.localizedDescription)
        }
        var m = manifest
        m.checkpoint = name
        try AtomicFile.write(try JSONEncoder.pretty.encode(m), to: path("model.json"))
        // Older checkpoints are no longer current.
        for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix("ckpt-") && entry != name {
            try? fm.removeItem(atPath: path(entry))
        }
    }

    static func historyCSV(_ history: [HistoryEntry]) -> String {
        let keys = Array(Set(history.flatMap { $0.logs.keys })).sorted()
        var lines = [(["epoch"] + keys).joined(separator: ",")]
        for h in history { lines.append(([String(h.epoch)] + keys.map { h.logs[$0].map { "\($0)" } ?? "" }).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Reading

    /// A model directory read back: the spec, the model with its weights, and the rest.
    public struct Loaded {
        public var manifest: Manifest
        public var spec: Spec
        public var model: Model
        public var preprocessing: Preprocessing
        public var state: TrainingState
        public var optimizerSlots: [String: Tensor]
        public var history: [HistoryEntry]
    }

    /// Reads the manifest (a corrupt or foreign directory is a clear error).
    public func manifest() throws -> Manifest {
        let p = path("model.json")
        guard let data = FileManager.default.contents(atPath: p) else {
            throw PersistenceError.corrupt(path: directory, reason: "not a kerasctl model directory (no model.json)")
        }
        do {
            let m = try JSONDecoder().decode(Manifest.self, from: data)
            guard m.format == Self.formatName else { throw PersistenceError.corrupt(path: p, reason: "format is '\(m.format)', expected '\(Self.formatName)'") }
            guard m.formatVersion <= Self.formatVersion else {
                throw PersistenceError.corrupt(path: p, reason: "format version \(m.formatVersion) is newer than this kerasctl reads (\(Self.formatVersion))")
            }
            return m
        } catch let e as PersistenceError { throw e } catch {
            throw PersistenceError.corrupt(path: p, reason: "unreadable manifest (\(error))")
        }
    }

    /// Rebuilds the model from the stored spec and loads the current checkpoint.
    /// `compile` also restores the optimizer (for resume and evaluate).
    public func load(compile: Bool) throws -> Loaded {
        let m = try manifest()
        let specText: String
        do { specText = try String(contentsOfFile: path("spec.yaml"), encoding: .utf8) } catch {
            throw PersistenceError.corrupt(path: path("spec.yaml"), reason: "missing or unreadable spec")
        }
        // Parse as if at its original place so relative data paths still resolve.
        let spec = try Spec.parse(text: specText, file: m.specPath)
        let model = try ModelBuilder.build(spec, inputShapes: m.inputShapes, seed: m.seed)
        if compile { try CompileBuilder.compile(model, spec: spec, requireLoss: false) }
        let ck = path(m.checkpoint)
        func file(_ n: String) -> String { (ck as NSString).appendingPathComponent(n) }
        try model.loadWeights(from: file("weights.safetensors"))
        let pre: Preprocessing = try decode(file("preprocessing.json"))
        let stateData = FileManager.default.contents(atPath: file("state.json")) ?? Data()
        let state = try TrainingState.decode(stateData, path: file("state.json"))
        var slots: [String: Tensor] = [:]
        if FileManager.default.fileExists(atPath: file("optimizer.safetensors")) {
            slots = try Safetensors.read(file("optimizer.safetensors")).dictionary
        }
        let history: [HistoryEntry] = (try? decode(file("history.json"))) ?? []
        return Loaded(manifest: m, spec: spec, model: model, preprocessing: pre, state: state, optimizerSlots: slots, history: history)
    }

    private func decode<T: Decodable>(_ p: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: p) else { throw PersistenceError.corrupt(path: p, reason: "missing file") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw PersistenceError.corrupt(path: p, reason: "unreadable JSON (\(error))")
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

import KerasText
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec

/// A model read from a Keras file.
public struct LoadedKerasModel {
    /// The built model, with the file's weights.
    public let model: Model
    /// The model's Keras JSON, translated (the spec it was built from).
    public let keras: KerasModelJSON
    /// The Keras version that wrote the file, when recorded.
    public let kerasVersion: String?
    /// The preprocessing of a Sequential model's leading Rescaling / Normalization layers
    /// (as `kerasctl export` writes a trained model's), applied to inputs before the model.
    public var preprocessing: Preprocessing? {
        guard let p = keras.preprocessing else { return nil }
        return Preprocessing(rescale: p.rescale.map(Float.init), mean: p.mean?.map(Float.init),
                             std: p.variance?.map { max(Float($0.squareRoot()), Standardizer.epsilon) })
    }
}

/// Reading Keras model files: the native `.keras` format (a zip of config.json,
/// metadata.json and model.weights.h5) and the legacy HDF5 `.h5` format (root attribute
/// `model_config`, weights under `model_weights/<layer>/` listed by `weight_names`).
///
/// The architecture goes through ``KerasJSON`` and the builder like any spec (so an
/// unsupported layer is a located ``SpecError`` in `file.keras/config.json`); the weights
/// are then matched layer by layer in Keras's `get_weights()` order, and any missing
/// array or disagreeing shape is a ``KerasFileError``.
public enum KerasFile {
    /// True when `path` names a Keras model file (by extension, else by its first bytes).
    public static func isKerasFile(_ path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".keras") || lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") { return true }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        return head.starts(with: [0x50, 0x4b, 0x03, 0x04]) || head.starts(with: [0x89, 0x48, 0x44, 0x46])
    }

    /// Reads the model in the Keras file at `path`: its architecture and, unless
    /// `weights` is false (`summary`), its weights. Every HDF5 read runs in a contained
    /// child process (``HDF5Sandbox``).
    public static func load(path: String, weights: Bool = true) throws -> LoadedKerasModel {
        let bytes = try readFile(path)
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46]) { return try loadLegacy(bytes, path: path, weights: weights) }
        if bytes.starts(with: [0x50, 0x4b]) { return try loadKeras(bytes, path: path, weights: weights) }
        throw KerasFileError(file: path, "not a Keras model file (expected a .keras zip archive or a legacy .h5 HDF5 file)")
    }

    /// Reads a model saved as Keras's `model.to_json()` plus `model.save_weights()`: the
    /// architecture from the JSON file, the weights from the HDF5 weights file (Keras 3's
    /// `.weights.h5` layout, or a legacy weights-only `.h5`).
    public static func load(json jsonPath: String, weights weightsPath: String) throws -> LoadedKerasModel {
        let keras = try KerasJSON.load(path: jsonPath)
        let model = try WeightAllocation.withoutValues { try ModelBuilder.build(keras) }
        let image = try readFile(weightsPath)
        try checkSignature(image, name: weightsPath)
        try loadWeights(into: model, keras: keras, image: image, name: weightsPath, file: weightsPath,
                        layout: weightsLayout(image, path: weightsPath))
        return LoadedKerasModel(model: model, keras: keras, kerasVersion: nil)
    }

    /// The bytes of a model or weights file, its size checked against the memory budget.
    static func readFile(_ path: String) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw KerasFileError(file: path, "cannot read file: no such file or unreadable")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        if size > MemoryBudget.bytes {
            throw KerasFileError(file: path, "the file is \(ShapeArithmetic.describe(bytes: size)), over \(MemoryBudget.describeLimit)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFileError(file: path, "cannot read file: no such file or unreadable")
        }
        return [UInt8](data)
    }

    // MARK: .keras

    static func loadKeras(_ bytes: [UInt8], path: String, weights: Bool) throws -> LoadedKerasModel {
        let zip = try ZipArchive(bytes: bytes, file: path)
        guard let configMember = zip.member("config.json") else {
            throw KerasFileError(file: path, "not a Keras model archive: it has no config.json")
        }
        let keras = try parseConfig(zip.read(configMember), file: "\(path)/config.json")
        try checkCompileConfig(keras, file: path)
        var version: String?
        if let meta = zip.member("metadata.json"),
           let json = try? JSONSerialization.jsonObject(with: Data(zip.read(meta))) as? [String: Any] {
            version = json["keras_version"] as? String
        }
        // Stand-in weights: every one is replaced from the file (or the load fails), so
        // drawing initial values would be wasted work (and slow for large orthogonal ones).
        let model = try WeightAllocation.withoutValues { try ModelBuilder.build(keras) }
        guard let weightsMember = zip.member("model.weights.h5") else {
            throw KerasFileError(file: path, "the archive has no model.weights.h5 (the weights are missing)")
        }
        if weights {
            let image = try zip.read(weightsMember)
            let name = "\(path)/model.weights.h5"
            try checkSignature(image, name: name)
            try loadWeights(into: model, keras: keras, image: image, name: name, file: path, layout: .native)
        }
        return LoadedKerasModel(model: model, keras: keras, kerasVersion: version)
    }

    /// Keras 3's group name for each layer in `model.layers` order: the Python class in
    /// snake_case, then `_1`, `_2`, ... for later layers of the same class.
    static func nativeGroupNames(_ classNames: [String]) -> [String] {
        var used: [String: Int] = [:]
        return classNames.map { className in
            let base = kerasSnakeCase(pythonClassNames[className] ?? className)
            if let k = used[base] {
                used[base] = k + 1
                return "\(base)_\(k + 1)"
            }
            used[base] = 0
            return base
        }
    }

    /// Classes Keras writes under their public name but saves weights under their Python
    /// class's (`keras.layers.GroupQueryAttention` is the class GroupedQueryAttention).
    static let pythonClassNames = ["GroupQueryAttention": "GroupedQueryAttention"]

    // MARK: legacy .h5

    static func loadLegacy(_ bytes: [UInt8], path: String, weights: Bool) throws -> LoadedKerasModel {
        try checkSignature(bytes, name: path)
        let root = try legacyAttributes(bytes, path: path)
        guard let config = root.config else {
            throw KerasFileError(file: path, "this HDF5 file has no model_config attribute (a weights-only file is not a model)")
        }
        let keras = try parseConfig(Array(config.utf8), file: "\(path):model_config")
        try checkCompileConfig(keras, file: path)
        // Stand-in weights: every one is replaced from the file (or the load fails), so
        // drawing initial values would be wasted work (and slow for large orthogonal ones).
        let model = try WeightAllocation.withoutValues { try ModelBuilder.build(keras) }
        if weights {
            try loadWeights(into: model, keras: keras, image: bytes, name: path, file: path,
                            layout: root.nestedWeights ? .legacyNested : .legacy)
        }
        return LoadedKerasModel(model: model, keras: keras, kerasVersion: root.version)
    }

    /// A Keras file's embedded model JSON. JSON that does not parse (syntax, encoding,
    /// limits) means the file is damaged: a located `KerasFileError` (exit 3); a config
    /// that parses but that kerasctl rejects (an unsupported layer, absurd units) is a
    /// located `SpecError` (exit 2).
    static func parseConfig(_ bytes: [UInt8], file: String) throws -> KerasModelJSON {
        let root: Node
        do { root = try YAML.parse(bytes: bytes, file: file, limits: .json) } catch {
            var at = error.file
            if let line = error.line, let column = error.column { at += ":\(line):\(column)" }
            throw KerasFileError(file: at, error.message)
        }
        return try KerasJSON.translate(root)
    }

    /// The file's `compile_config` loss, checked when the file is opened, so that
    /// `summary`, `predict` and `evaluate` agree: a loss kerasctl cannot build is a located
    /// spec error (exit 2) in every command.
    static func checkCompileConfig(_ keras: KerasModelJSON, file: String) throws {
        switch try keras.spec(file: file).compile.loss {
        case nil: break
        case let .all(object)?: _ = try LossRegistry.table.make(object)
        case let .byOutput(named)?: for entry in named { _ = try LossRegistry.table.make(entry.value) }
        }
    }

    /// HDF5's 8-byte signature, checked before a child is started.
    static func checkSignature(_ image: [UInt8], name: String) throws(KerasFileError) {
        guard image.count >= 8, image[0..<8].elementsEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) else {
            throw KerasFileError(file: name, "not an HDF5 file (bad signature)")
        }
    }

    static func describe(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }
}

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

    /// Reads the model (architecture and weights) in the Keras file at `path`.
    public static func load(path: String) throws -> LoadedKerasModel {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw KerasFileError(file: path, "cannot read file: no such file or unreadable")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46]) { return try loadLegacy(bytes, path: path) }
        if bytes.starts(with: [0x50, 0x4b]) { return try loadKeras(bytes, path: path) }
        throw KerasFileError(file: path, "not a Keras model file (expected a .keras zip archive or a legacy .h5 HDF5 file)")
    }

    // MARK: .keras

    static func loadKeras(_ bytes: [UInt8], path: String) throws -> LoadedKerasModel {
        let zip = try ZipArchive(bytes: bytes, file: path)
        guard let configMember = zip.member("config.json") else {
            throw KerasFileError(file: path, "not a Keras model archive: it has no config.json")
        }
        let keras = try KerasJSON.parse(bytes: zip.read(configMember), file: "\(path)/config.json")
        var version: String?
        if let meta = zip.member("metadata.json"),
           let json = try? JSONSerialization.jsonObject(with: Data(zip.read(meta))) as? [String: Any] {
            version = json["keras_version"] as? String
        }
        let model = try ModelBuilder.build(keras)
        guard let weightsMember = zip.member("model.weights.h5") else {
            throw KerasFileError(file: path, "the archive has no model.weights.h5 (the weights are missing)")
        }
        let h5 = try HDF5File.open(image: zip.read(weightsMember), name: "\(path)/model.weights.h5")
        try assign(model: model, keras: keras, file: path) { info, index in
            try nativeArrays(h5, layerGroup: "/layers/\(index)", className: info.className)
        }
        return LoadedKerasModel(model: model, keras: keras, kerasVersion: version)
    }

    /// Keras 3's group name for each layer in `model.layers` order: the class in
    /// snake_case, then `_1`, `_2`, ... for later layers of the same class.
    static func nativeGroupNames(_ classNames: [String]) -> [String] {
        var used: [String: Int] = [:]
        return classNames.map { className in
            let base = kerasSnakeCase(className)
            if let k = used[base] {
                used[base] = k + 1
                return "\(base)_\(k + 1)"
            }
            used[base] = 0
            return base
        }
    }

    /// A layer's arrays in `get_weights()` order: its own `vars/0...`, then its tracked
    /// sub-objects (a recurrent layer's `cell`, TimeDistributed's `layer`); Bidirectional's
    /// forward layer before its backward layer (the layout its registry entry declares).
    static func nativeArrays(_ h5: HDF5File, layerGroup: String, className: String?) throws -> [(shape: [Int], data: [Float])] {
        guard h5.kind(layerGroup) == .group else { return [] }
        if let className, LayerRegistry.table.entry(named: className)?.weights == .bidirectional {
            return try nativeArrays(h5, layerGroup: layerGroup + "/forward_layer", className: nil)
                + nativeArrays(h5, layerGroup: layerGroup + "/backward_layer", className: nil)
        }
        var arrays: [(shape: [Int], data: [Float])] = []
        var i = 0
        while h5.kind("\(layerGroup)/vars/\(i)") == .dataset {
            arrays.append(try h5.readFloats("\(layerGroup)/vars/\(i)"))
            i += 1
        }
        for child in h5.children(layerGroup) where child != "vars" && h5.kind("\(layerGroup)/\(child)") == .group {
            arrays += try nativeArrays(h5, layerGroup: "\(layerGroup)/\(child)", className: nil)
        }
        return arrays
    }

    // MARK: legacy .h5

    static func loadLegacy(_ bytes: [UInt8], path: String) throws -> LoadedKerasModel {
        let h5 = try HDF5File.open(image: bytes, name: path)
        guard let config = try h5.strings("model_config", of: "/")?.first else {
            throw KerasFileError(file: path, "this HDF5 file has no model_config attribute (a weights-only file is not a model)")
        }
        let keras = try KerasJSON.parse(bytes: Array(config.utf8), file: "\(path):model_config")
        let version = try h5.strings("keras_version", of: "/")?.first
        let model = try ModelBuilder.build(keras)
        let root = h5.kind("/model_weights") == .group ? "/model_weights" : "/"
        try assign(model: model, keras: keras, file: path) { info, _ in
            let group = "\(root)/\(info.name)"
            guard h5.kind(group) == .group else { return [] }
            let names = try h5.strings("weight_names", of: group) ?? []
            var arrays: [(shape: [Int], data: [Float])] = []
            for name in names where !name.isEmpty {
                guard h5.kind("\(group)/\(name)") == .dataset else {
                    throw KerasFileError(file: path, "weight '\(name)' of layer '\(info.name)' is listed but missing")
                }
                arrays.append(try h5.readFloats("\(group)/\(name)"))
            }
            return arrays
        }
        return LoadedKerasModel(model: model, keras: keras, kerasVersion: version)
    }

    // MARK: Matching

    /// Gives each layer of `model` the arrays `arrays(layer, native group name)` returns,
    /// checking their number and shapes against the layer's parameters.
    static func assign(model: Model, keras: KerasModelJSON, file: String,
                       arrays: (KerasLayerInfo, String) throws -> [(shape: [Int], data: [Float])]) throws {
        let byName = Dictionary(model.layers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var updates: [(Parameter, Tensor)] = []
        for (info, group) in zip(keras.layers, nativeGroupNames(keras.layers.map(\.className))) {
            let found = try arrays(info, group)
            guard let layer = byName[info.name] else {
                if found.isEmpty { continue }
                throw KerasFileError(file: file, "the weights file has arrays for '\(info.name)', which the model does not have")
            }
            let params = layer.parameters
            let expected = params.map { describe($0.shape) }.joined(separator: ", ")
            let got = found.map { describe($0.shape) }.joined(separator: ", ")
            guard found.count == params.count, zip(found, params).allSatisfy({ $0.shape == $1.shape }) else {
                if found.isEmpty {
                    throw KerasFileError(file: file, "no weights for layer '\(info.name)' (\(info.className)), which needs \(params.count): \(expected)")
                }
                throw KerasFileError(file: file, "layer '\(info.name)' (\(info.className)): the weights file has shapes [\(got)], the model config needs [\(expected)]")
            }
            for (array, param) in zip(found, params) { updates.append((param, Tensor(shape: array.shape, data: array.data))) }
        }
        for (param, value) in updates { param.value = value }
    }

    static func describe(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }
}

/// Keras's `naming.to_snake_case`: `MaxPooling2D` → `max_pooling2d`, `LSTM` → `lstm`.
func kerasSnakeCase(_ name: String) -> String {
    var s = name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
    // "(.)([A-Z][a-z]+)" → "\1_\2", then "([a-z])([A-Z])" → "\1_\2".
    s = s.replacingOccurrences(of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
    s = s.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
    return s.lowercased()
}

import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec

/// Writes a model as a Keras 3 `.keras` file that `keras.saving.load_model` reads:
/// `metadata.json`, `config.json` (the model serialized as Keras 3 does: Sequential or
/// Functional, layers in Keras's `model.layers` order, inbound nodes as keras tensors) and
/// `model.weights.h5` (Keras 3's layout: `layers/<class_snake>[_k]/vars/<i>`, a recurrent
/// layer's weights under `cell/`, Bidirectional's under `forward_layer/` and
/// `backward_layer/`, TimeDistributed's under `layer/`), zipped with members stored.
public enum KerasExport {
    /// The Keras version written in metadata.json (the format this writer follows).
    public static let kerasVersion = "3.10.0"

    /// One layer as Keras will list it in `model.layers`.
    struct KerasLayer {
        let name: String
        let className: String
        /// The spec object (nil for an InputLayer).
        let object: ObjectSpec?
        /// The engine layer (nil for an InputLayer).
        let layer: (any Layer)?
        /// The serialized layer (config, and inbound nodes for a functional model).
        var serialized: [String: Any]
        /// A nested model's layers, in Keras's order.
        var nested: [KerasLayer] = []
        /// Subgroups Keras writes for the layer (TextVectorization's `_lookup_layer`), and
        /// variables stored by name under its group (TextVectorization's `idf_weights`).
        var groups: [String] = []
        var variables: [(path: String, values: [Float])] = []

        /// Whether it is a model used as a layer (its weights are its layers').
        var isModel: Bool { layer is ModelLayer || !nested.isEmpty }
    }

    /// The `.keras` archive of `model`, built from `spec` (a sequential or functional
    /// spec; a Keras JSON spec is read first). `name` is the Keras model name.
    /// `preprocessing` (a trained model's rescale and standardization) becomes Keras
    /// `Rescaling` and `Normalization` layers in front of a Sequential model, so the file
    /// takes the same raw inputs as kerasctl.
    public static func archive(model: Model, spec: ModelSpec, name: String, preprocessing: Preprocessing? = nil) throws -> [UInt8] {
        var (config, layers) = try serialize(model: model, spec: spec, name: name)
        if let space = preprocessing?.featureSpace {
            if preprocessing?.isIdentity == false {
                throw KerasFileError(file: name, "a model with both a feature_space and rescale/standardize cannot be exported")
            }
            (config, layers) = try endToEnd(space, model: config, layers, name: name)
        } else if let preprocessing, !preprocessing.isIdentity {
            (config, layers) = try prepend(preprocessing, to: config, layers, inputShape: model.inputShapes.first ?? [], name: name)
        }
        let configJSON = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let date = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!,
                                               formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime])
        let metadata: [String: Any] = ["keras_version": kerasVersion, "date_saved": date.replacingOccurrences(of: "T", with: "@")]
        let metadataJSON = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        var zip = ZipWriter()
        zip.add("metadata.json", [UInt8](metadataJSON))
        zip.add("config.json", [UInt8](configJSON))
        zip.add("model.weights.h5", try weights(layers))
        return zip.finish()
    }

    /// The model's Keras 3 config (`model.to_json()`'s content): every layer with all its
    /// arguments, Keras defaults filled in. The model directory keeps it as the resolved spec.
    public static func modelConfig(model: Model, spec: ModelSpec, name: String) throws -> [String: Any] {
        try serialize(model: model, spec: spec, name: name).0
    }

    /// Writes the archive to `path` (atomically; missing parent folders are created).
    public static func write(model: Model, spec: ModelSpec, name: String, preprocessing: Preprocessing? = nil, to path: String) throws {
        try AtomicFile.write(try archive(model: model, spec: spec, name: name, preprocessing: preprocessing), to: path)
    }

    /// The model config and the layers in Keras's order.
    static func serialize(model: Model, spec: ModelSpec, name: String) throws -> ([String: Any], [KerasLayer]) {
        switch spec {
        case .kerasJSON(let k):
            return try serialize(model: model, spec: KerasJSON.load(path: k.path.resolved).spec, name: name)
        case .sequential(let s):
            return try sequential(model: model, spec: s, name: name)
        case .functional(let f):
            return try functional(model: model, spec: f, name: name)
        }
    }

    static func sequential(model: Model, spec: SequentialModelSpec, name: String) throws -> ([String: Any], [KerasLayer]) {
        guard let shape = model.inputShapes.first, model.layers.count == spec.layers.count else {
            throw KerasFileError(file: name, "the model does not match its spec (not built, or a different number of layers)")
        }
        let batchShape: [Any] = [NSNull()] + shape
        var layers: [KerasLayer] = []
        for (ls, layer) in zip(spec.layers, model.layers) {
            if let inner = layer as? ModelLayer {
                var (serialized, nested) = try nestedConfig(ls.object, inner, name: layer.name)
                serialized["name"] = layer.name
                layers.append(KerasLayer(name: layer.name, className: inner.typeName, object: ls.object, layer: layer,
                                         serialized: serialized, nested: nested))
                continue
            }
            layers.append(KerasLayer(name: layer.name, className: ls.kind, object: ls.object, layer: layer,
                                     serialized: try layerConfig(ls.object, name: layer.name)))
        }
        let input: [String: Any] = [
            "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(),
            "config": ["batch_shape": batchShape, "dtype": "float32", "sparse": false, "name": "input_layer"] as [String: Any],
        ]
        let config: [String: Any] = [
            "module": "keras", "class_name": "Sequential", "registered_name": NSNull(),
            "config": ["name": name, "trainable": true, "dtype": "float32",
                       "layers": [input] + layers.map(\.serialized), "build_input_shape": batchShape] as [String: Any],
            "build_config": ["input_shape": batchShape],
        ]
        return (config, layers)
    }

    // MARK: Weights

    /// model.weights.h5 in Keras 3's layout.
    static func weights(_ layers: [KerasLayer]) throws -> [UInt8] {
        let h5 = try HDF5File.create(name: "model.weights.h5")
        try writeLayers(h5, "/layers", layers)
        try h5.createGroup("/vars")
        return try h5.image()
    }

    /// The groups of `layers` under `path`; a nested model's layers under its own
    /// `<group>/layers/`.
    static func writeLayers(_ h5: HDF5File, _ path: String, _ layers: [KerasLayer]) throws {
        try h5.createGroup(path)
        // Groups are named by the class written in config.json (Keras 2's ThresholdedReLU is written as ReLU).
        let classes = layers.map { $0.serialized["class_name"] as? String ?? $0.className }
        for (layer, group) in zip(layers, KerasFile.nativeGroupNames(classes)) {
            if layer.isModel {
                try h5.createGroup("\(path)/\(group)")
                try h5.createGroup("\(path)/\(group)/vars")
                try writeLayers(h5, "\(path)/\(group)/layers", layer.nested)
                continue
            }
            let inner = layer.object.flatMap(wrappedClass)
            try writeLayer(h5, "\(path)/\(group)", className: layer.className, inner: inner,
                           params: layer.layer?.parameters ?? [])
            for sub in layer.groups { try h5.createGroup("\(path)/\(group)/\(sub)") }
            for v in layer.variables { try h5.writeFloats("\(path)/\(group)/\(v.path)", shape: [v.values.count], data: v.values) }
        }
    }

    /// Writes one layer's group: its own `vars`, or the nested groups Keras uses for
    /// recurrent layers and wrappers.
    static func writeLayer(_ h5: HDF5File, _ path: String, className: String, inner: String?, params: [Parameter]) throws {
        try h5.createGroup(path)
        try h5.createGroup(path + "/vars")
        switch LayerRegistry.table.entry(named: className)?.weights ?? .own {
        case .cell:
            try writeLayer(h5, path + "/cell", className: "cell", inner: nil, params: params)
        case .bidirectional:
            let half = params.count / 2
            try writeLayer(h5, path + "/forward_layer", className: inner ?? "", inner: nil, params: Array(params[..<half]))
            try writeLayer(h5, path + "/backward_layer", className: inner ?? "", inner: nil, params: Array(params[half...]))
        case .wrapped:
            try writeLayer(h5, path + "/layer", className: inner ?? "", inner: nil, params: params)
        case let .groups(all, empty):
            let full = all.reduce(0) { $0 + ($1.count ?? 0) }
            let groups = all.filter { !$0.optional || params.count >= full }
            let per = params.count / Swift.max(groups.count, 1)
            var at = 0
            for group in groups {
                let n = Swift.min(group.count ?? per, params.count - at)
                try writeLayer(h5, "\(path)/\(group.name)", className: group.className ?? group.name, inner: nil, params: Array(params[at..<(at + n)]))
                at += n
            }
            for group in empty { try writeLayer(h5, "\(path)/\(group)", className: group, inner: nil, params: []) }
        case .own:
            for (i, p) in params.enumerated() {
                let value = p.value.detached
                try h5.writeFloats("\(path)/vars/\(i)", shape: value.shape, data: (0..<value.count).map { value[flat: $0] })
            }
        }
    }

    /// The class of the layer a wrapper (Bidirectional, TimeDistributed) wraps.
    static func wrappedClass(_ object: ObjectSpec) -> String? {
        let layout = LayerRegistry.table.entry(named: object.name)?.weights
        guard layout == .bidirectional || layout == .wrapped, let args = object.args else { return nil }
        let layerNode = args.entries == nil ? args : args["layer"]
        return layerNode.flatMap { try? ObjectSpec(node: $0).name }
    }
}

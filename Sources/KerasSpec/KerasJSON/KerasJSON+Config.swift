import KerasText

/// Keras layer configs → spec objects.
///
/// A Keras config `{"class_name": "Dense", "config": {"units": 10, ...}}` becomes the spec
/// object `{Dense: {units: 10, ...}}`; nested serialized objects (initializers,
/// regularizers, wrapped layers) become nested spec objects the same way. Keras's
/// bookkeeping keys that never change the math are dropped (``alwaysDropped``), and so are
/// keys at their Keras default or `null` when that means "off" (``droppedWhenNull``,
/// ``droppedAtDefault``). Everything else is kept, so the builder's registries still
/// reject an argument kerasctl does not support, located in the JSON file.
extension KerasJSON {
    /// Keys that are bookkeeping (names, dtypes, build state) or only seed initial values.
    static let alwaysDropped: Set<String> = [
        "trainable", "dtype", "dtype_policy", "autocast", "build_config", "module",
        "registered_name", "seed", "implementation", "batch_input_shape", "input_shape",
        "batch_size", "input_dtype", "shared_object_id",
    ]

    /// Keys whose `null` means "none" or "off".
    static let droppedWhenNull: Set<String> = [
        "quantization_config", "renorm_clipping", "noise_shape", "input_axes", "output_axes",
        "lora_rank", "lora_alpha", "gamma_regularizer", "beta_regularizer",
    ]

    /// Keys at the Keras default they have in every class that takes them.
    static let droppedAtDefault: [String: ScalarValue] = [
        "data_format": .string("channels_last"), "stateful": .bool(false), "unroll": .bool(false),
        "go_backwards": .bool(false), "time_major": .bool(false), "use_cudnn": .string("auto"),
        "synchronized": .bool(false), "renorm": .bool(false), "renorm_momentum": .float(0.99),
        "zero_output_for_mask": .bool(false), "groups": .int(1), "sparse": .bool(false),
        "ragged": .bool(false), "optional": .bool(false), "lora_enabled": .bool(false),
        "rms_scaling": .bool(false),
    ]

    /// Whether the config entry `key: value` is left out of the spec object.
    static func dropped(_ key: String, _ value: Node) -> Bool {
        if alwaysDropped.contains(key) { return true }
        if value.isNull, droppedWhenNull.contains(key) || key.hasSuffix("_constraint") || key.hasSuffix("_regularizer") {
            return true
        }
        if let scalar = value.scalar, let standard = droppedAtDefault[key] {
            return scalar.value == standard
        }
        return false
    }

    /// The spec object for a serialized Keras layer `{"class_name", "config"}` (a layer in
    /// a model's list, or a layer wrapped by Bidirectional / TimeDistributed). `extra`
    /// entries (the layer's `name`, `inputs`) come first.
    static func layerObject(_ node: Node, path: String, extra: [(String, Mark, Node)] = [],
                            nested: Bool = false) throws(SpecError) -> Node {
        let (className, classNode, config) = try classAndConfig(node, path: path)
        if modelClasses.contains(className), let config, let items = config["layers"]?.items {
            return try nestedModel(className, items: items, config: config, classNode: classNode, node: node, extra: extra)
        }
        if isOperation(node) {
            // A `keras.ops` function: `ops.<function>`, its config minus the name.
            var args = extra
            for entry in config?.entries ?? [] where entry.name != "name" {
                args.append((entry.name, entry.key.mark, try value(entry.value, path: path, key: entry.name)))
            }
            return .object("ops." + kerasSnakeCase(className), nameMark: classNode.mark, args: args, at: node.mark)
        }
        var args = extra
        for entry in config?.entries ?? [] {
            if entry.name == "name" { continue }
            if nested, entry.name == "zero_output_for_mask" { continue }  // Bidirectional sets it
            if dropped(entry.name, entry.value) { continue }
            if className == "Bidirectional", entry.name == "backward_layer",
               try isDefaultBackward(entry.value, of: config?["layer"], path: path) {
                continue
            }
            args.append((entry.name, entry.key.mark, try value(entry.value, path: path, key: entry.name)))
        }
        return .object(className, nameMark: classNode.mark, args: args, at: node.mark)
    }

    /// Keras's model classes, which a functional model may use as layers.
    static let modelClasses: Set<String> = ["Sequential", "Functional", "Model"]

    /// True for a serialized `keras.ops` operation: `"module": "keras.src.ops.numpy"`, or
    /// (Keras 3's legacy `.h5` configs carry no module) a node called in Keras 3's
    /// `{"args", "kwargs"}` form whose config lacks the `trainable` that every Keras 3
    /// layer's config has (an operation may have a `dtype`: `ops.zeros_like(x, dtype)`).
    static func isOperation(_ node: Node) -> Bool {
        guard let module = node["module"]?.string else {
            return node["inbound_nodes"]?.items?.first?["args"] != nil && node["config"]?["trainable"] == nil
        }
        return module.hasPrefix("keras.src.ops") || module.hasPrefix("keras.ops")
    }

    /// A model used as a layer: `{Sequential: {layers}}` or `{Functional: {model}}`, its
    /// layers translated like a top-level model's (no preprocessing taken out).
    static func nestedModel(_ className: String, items: [Node], config: Node, classNode: Node, node: Node,
                            extra: [(String, Mark, Node)]) throws(SpecError) -> Node {
        let name = config["name"]?.string ?? "model"
        var args = extra
        if className == "Sequential" {
            let inner = try sequential(items, config: config, name: name, preprocessing: false)
            if let layers = inner.modelNode["layers"] { args.append(("layers", config.mark, layers)) }
        } else {
            let inner = try functional(items, config: config, name: name, preprocessing: false)
            args.append(("model", config.mark, inner.modelNode))
        }
        if config["trainable"]?.boolValue == false { args.append(("trainable", config.mark, .bool(false, at: config.mark))) }
        return .object(className == "Sequential" ? "Sequential" : "Functional", nameMark: classNode.mark, args: args, at: node.mark)
    }

    /// `{"class_name", "config"}` parts of a serialized object, checked.
    static func classAndConfig(_ node: Node, path: String) throws(SpecError) -> (String, Node, Node?) {
        guard node.entries != nil else {
            throw node.error("expected a serialized Keras object {\"class_name\": ..., \"config\": {...}}, got \(node.got)", path: path)
        }
        guard let classNode = node["class_name"], let className = classNode.string, !className.isEmpty else {
            throw node.error("a Keras object needs a \"class_name\" string", path: path)
        }
        let config = node["config"]
        if let config, !config.isNull, config.entries == nil {
            throw config.error("\"config\" of \(className) must be a map, got \(config.got)", path: path)
        }
        // Legacy .h5 configs name keras_hub's layers by their registered name.
        let name = className.hasPrefix("keras_hub>") ? String(className.dropFirst("keras_hub>".count)) : className
        return (name, classNode, config?.isNull == true ? nil : config)
    }

    /// A config value as a spec value: serialized objects become `{Name: args}` objects,
    /// tuples become lists, everything else is kept as written.
    static func value(_ node: Node, path: String, key: String) throws(SpecError) -> Node {
        switch node.content {
        case .scalar:
            return node
        case .sequence(let items):
            var out: [Node] = []
            for item in items { out.append(try value(item, path: path, key: key)) }
            return .list(out, at: node.mark, path: node.path)
        case .mapping(let entries):
            guard let className = node["class_name"]?.string else {
                var out: [(String, Mark, Node)] = []
                for entry in entries { out.append((entry.name, entry.key.mark, try value(entry.value, path: path, key: entry.name))) }
                return .map(out, at: node.mark, path: node.path)
            }
            switch className {
            case "__tuple__":
                guard let items = node["config"]?["value"] else { return .list([], at: node.mark) }
                return try value(items, path: path, key: key)
            case "__keras_tensor__":
                throw node.error("\(key): a tensor argument is not supported", path: path)
            default:
                if key == "layer" || key == "backward_layer" {
                    return try layerObject(node, path: path, nested: true)
                }
                return try plainObject(node, path: path)
            }
        }
    }

    /// A serialized non-layer object (initializer, regularizer, ...) as `{Name: args}`.
    static func plainObject(_ node: Node, path: String) throws(SpecError) -> Node {
        let (className, classNode, config) = try classAndConfig(node, path: path)
        var args: [(String, Mark, Node)] = []
        for entry in config?.entries ?? [] where !dropped(entry.name, entry.value) {
            args.append((entry.name, entry.key.mark, try value(entry.value, path: path, key: entry.name)))
        }
        return .object(className, nameMark: classNode.mark, args: args, at: node.mark)
    }

    /// True when Bidirectional's `backward_layer` is what Keras derives from `layer` by
    /// itself (same config but for the name and `go_backwards`), so it can be left out.
    static func isDefaultBackward(_ backward: Node, of forward: Node?, path: String) throws(SpecError) -> Bool {
        guard let forward, let b = backward["config"], let f = forward["config"],
              backward["class_name"]?.string == forward["class_name"]?.string else { return false }
        let ignored: Set<String> = ["name", "go_backwards"]
        let bEntries = (b.entries ?? []).filter { !ignored.contains($0.name) }
        let fEntries = (f.entries ?? []).filter { !ignored.contains($0.name) }
        return bEntries.count == fEntries.count
            && zip(bEntries, fEntries).allSatisfy { $0.name == $1.name && $0.value.sameContent(as: $1.value) }
    }
}

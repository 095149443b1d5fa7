import Foundation
import KerasBuilder
import KerasEngine
import KerasSpec

/// Spec objects → Keras 3 serialized configs (`{"module", "class_name", "config",
/// "registered_name"}`), the inverse of ``KerasJSON``'s translation.
///
/// A layer's spec arguments are Keras's constructor arguments, so they are written as its
/// config; Keras fills every argument left out with its default when it loads the file.
/// Shorthand scalars (`Dense: 10`) are expanded with the class's main argument, and
/// nested objects by the kind their key implies (`*_initializer`, `*_regularizer`,
/// `*_constraint`, a wrapped `layer`; `activation` strings).
extension KerasExport {
    /// The argument a single value stands for in a layer (`Dense: 10`): its registry entry's.
    static func layerMainArgument(_ className: String) -> String? {
        LayerRegistry.table.entry(named: className)?.mainArgument
    }

    /// Whether an argument holds an initializer: `*_initializer`, or keras_hub's plain
    /// `initializer` (PositionEmbedding).
    static func isInitializerKey(_ key: String) -> Bool { key == "initializer" || key.hasSuffix("_initializer") }

    /// The argument a single value stands for in a nested initializer, regularizer or
    /// constraint (by the argument's `key`: `*_initializer`, `*_regularizer`, `*_constraint`).
    static func objectMainArgument(_ name: String, key: String) -> String? {
        isInitializerKey(key) ? InitializerRegistry.table.entry(named: name)?.mainArgument
            : key.hasSuffix("_regularizer") ? RegularizerRegistry.table.entry(named: name)?.mainArgument
            : key.hasSuffix("_constraint") ? ConstraintRegistry.table.entry(named: name)?.mainArgument : nil
    }

    /// The serialized layer `object` named `name`; `extra` config entries (the
    /// InputLayer's shape, ...) are added.
    static func layerConfig(_ object: ObjectSpec, name: String?) throws -> [String: Any] {
        var config: [String: Any] = ["trainable": true, "dtype": "float32"]
        if let name { config["name"] = name }
        for (key, node) in try arguments(object, mainArgument: layerMainArgument(object.name)) {
            if key == "name" || key == "inputs" || key == "training" || LayerRegistry.attentionCallArguments.contains(key) { continue }
            config[key] = try value(node, key: key, owner: object)
        }
        if object.name == "ThresholdedReLU" {
            // Keras 2 only; Keras 3's ReLU(threshold=theta) is the same function.
            config["threshold"] = config.removeValue(forKey: "theta") ?? 1.0
            return ["module": "keras.layers", "class_name": "ReLU", "config": config, "registered_name": NSNull()]
        }
        if let module = hubModules[object.name] {
            return ["module": module, "class_name": object.name, "config": config, "registered_name": "keras_hub>\(object.name)"]
        }
        if let module = applicationModules[object.name] {
            // Keras finds these by importing the module that defines them, as its own files say.
            return ["module": module, "class_name": object.name, "config": config, "registered_name": object.name]
        }
        return ["module": "keras.layers", "class_name": object.name, "config": config, "registered_name": NSNull()]
    }

    /// A `keras.ops` operation as Keras 3 serializes it: its class (`Add`, `Mean`) in
    /// `keras.src.ops.numpy` or `keras.src.ops.nn`, its config the function's named
    /// arguments.
    static func operationConfig(_ object: ObjectSpec, _ operation: OperationLayer, name: String) throws -> [String: Any] {
        var config: [String: Any] = ["name": name]
        for (key, node) in try arguments(object, mainArgument: nil) where !["name", "inputs", "training"].contains(key) {
            config[key] = try plain(node, owner: object)
        }
        // The keras.ops.nn activations are classes of keras.src.ops.nn; everything else
        // (tanh included) of keras.src.ops.numpy.
        let module: String
        switch operation.function {
        case .activation: module = "keras.src.ops.nn"
        default: module = "keras.src.ops.numpy"
        }
        let className = operation.typeName
        return ["module": module, "class_name": className, "config": config, "registered_name": className]
    }

    /// A model used as a layer: its own Sequential or Functional config (and its layers,
    /// for the weights file), from the spec it was built from — written in the spec or
    /// read from the saved model a `Model: {path}` layer names.
    static func nestedConfig(_ object: ObjectSpec, _ layer: ModelLayer, name: String) throws -> ([String: Any], [KerasLayer]) {
        guard let nested = layer as? SpecModelLayer else {
            throw object.error("cannot export \(object.name): the model it holds has no spec")
        }
        var (config, layers) = try serialize(model: nested.model, spec: nested.spec, name: name)
        if !layer.trainable, var inner = config["config"] as? [String: Any] {
            inner["trainable"] = false
            config["config"] = inner
        }
        return (config, layers)
    }

    /// The keras_hub modules defining its layers (registered as `keras_hub>Name`; Keras
    /// loads them when keras_hub is installed).
    static let hubModules = ["PositionEmbedding": "keras_hub.src.layers.modeling.position_embedding",
                             "TokenAndPositionEmbedding": "keras_hub.src.layers.modeling.token_and_position_embedding",
                             "TransformerEncoder": "keras_hub.src.layers.modeling.transformer_encoder",
                             "TransformerDecoder": "keras_hub.src.layers.modeling.transformer_decoder",
                             "SinePositionEncoding": "keras_hub.src.layers.modeling.sine_position_encoding"]

    /// The modules defining the keras.applications layers (not in `keras.layers`).
    static let applicationModules = [
        "LayerScale": "keras.src.applications.convnext", "StochasticDepth": "keras.src.applications.convnext",
        "CustomScaleLayer": "keras.src.applications.inception_resnet_v2",
    ]

    /// An object's arguments as (key, node) pairs: a map's entries, or a scalar under its
    /// main argument.
    static func arguments(_ object: ObjectSpec, mainArgument: String?) throws -> [(String, Node)] {
        guard let args = object.args else { return [] }
        if let entries = args.entries { return entries.map { ($0.name, $0.value) } }
        guard let mainArgument else {
            throw object.error("cannot export \(object.name) given as a single value; write its arguments as a map")
        }
        return [(mainArgument, args)]
    }

    /// A spec value as Keras config JSON.
    static func value(_ node: Node, key: String, owner: ObjectSpec) throws -> Any {
        if key == "activation" || key == "recurrent_activation" {
            let object = try ObjectSpec(node: node, path: owner.path + "." + key)
            if let args = object.args, args.entries?.isEmpty != true {
                throw owner.error("cannot export \(key) '\(object.name)' with arguments: Keras configs name activations by string", at: node)
            }
            return object.name
        }
        if key == "layer" || key == "backward_layer" {
            var nested = try layerConfig(try ObjectSpec(node: node, path: owner.path + "." + key), name: nil)
            var config = nested["config"] as? [String: Any] ?? [:]
            config.removeValue(forKey: "name")
            nested["config"] = config
            return nested
        }
        let module = isInitializerKey(key) ? "keras.initializers"
            : key.hasSuffix("_regularizer") ? "keras.regularizers"
            : key.hasSuffix("_constraint") ? "keras.constraints" : nil
        if let module {
            let object = try ObjectSpec(node: node, path: owner.path + "." + key)
            if object.args == nil { return object.name }
            var config: [String: Any] = [:]
            for (k, v) in try arguments(object, mainArgument: objectMainArgument(object.name, key: key)) {
                config[k] = try plain(v, owner: owner)
            }
            return ["module": module, "class_name": object.name, "config": config, "registered_name": NSNull()]
        }
        return try plain(node, owner: owner)
    }

    /// Scalars, lists and maps as JSON values.
    static func plain(_ node: Node, owner: ObjectSpec) throws -> Any {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return NSNull()
            case .bool(let b): return b
            case .int(let i): return i
            case .float(let d):
                guard d.isFinite else { throw owner.error("cannot export a non-finite number to JSON", at: node) }
                return d
            case .string(let s): return s
            }
        case .sequence(let items):
            return try items.map { try plain($0, owner: owner) }
        case .mapping(let entries):
            var out: [String: Any] = [:]
            for entry in entries { out[entry.name] = try plain(entry.value, owner: owner) }
            return out
        }
    }
}

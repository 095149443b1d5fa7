import KerasEngine
import KerasSpec

/// Spec → engine model: every layer made through its registry, shapes checked layer by
/// layer, and any shape problem reported at the layer's place in the spec.
public enum ModelBuilder {
    /// Builds (and weight-initialises) the model of `spec`. `inputShapes` overrides or
    /// supplies the input shapes (e.g. inferred from the data when the spec gives none).
    public static func build(_ spec: Spec, inputShapes: [[Int]]? = nil, seed: UInt64? = nil) throws -> Model {
        let seed = seed ?? spec.seed ?? 0
        switch spec.model {
        case let .sequential(s):
            return try sequential(s, name: spec.name, seed: seed, fallbackInputShape: inputShapes?.first, modelNode: spec.modelNode)
        case .functional:
            throw spec.modelNode.error("functional models are not supported yet", path: "model")
        case let .kerasJSON(k):
            throw k.node.error("keras_json models are not supported yet", path: "model.keras_json")
        }
    }

    static func sequential(_ s: SequentialModelSpec, name: String, seed: UInt64, fallbackInputShape: [Int]?, modelNode: Node) throws -> Model {
        guard let inputShape = s.inputShape ?? fallbackInputShape else {
            throw modelNode.error("the model needs an input shape: add 'input_shape: [...]' or a first layer '- Input: {shape: [...]}'", path: "model")
        }
        var namer = LayerNamer()
        var layers: [any Layer] = []
        var specs: [LayerSpec] = []
        for ls in s.layers {
            let layer = try LayerRegistry.table.make(ls.object)
            layer.name = try namer.name(for: layer, given: ls)
            layers.append(layer)
            specs.append(ls)
        }
        let model = Sequential(name: name, layers: layers)
        do {
            try model.build(inputShapes: [inputShape], seed: seed)
        } catch let e as ShapeError {
            let where_ = zip(layers, specs).first { $0.0.name == e.layer }?.1
            throw where_?.error(e.message) ?? modelNode.error(e.message, path: "model")
        }
        return model
    }
}

/// Keras's automatic layer names: the class name in snake_case, then `_1`, `_2`, ...
struct LayerNamer {
    private var used: [String: Int] = [:]
    private var taken = Set<String>()

    mutating func name(for layer: any Layer, given spec: LayerSpec) throws -> String {
        if let given = spec.name {
            guard taken.insert(given).inserted else {
                throw spec.error("duplicate layer name '\(given)'", at: spec.nameNode)
            }
            return given
        }
        let base = snakeCase(layer.typeName)
        while true {
            let k = used[base, default: 0]
            used[base] = k + 1
            let candidate = k == 0 ? base : "\(base)_\(k)"
            if taken.insert(candidate).inserted { return candidate }
        }
    }
}

/// Keras's `to_snake_case`: `Conv2DTranspose` → `conv2d_transpose`, `LSTM` → `lstm`,
/// `GlobalAveragePooling2D` → `global_average_pooling2d`.
func snakeCase(_ s: String) -> String {
    let c = Array(s)
    var out = ""
    for (i, ch) in c.enumerated() {
        let startsWord = ch.isUppercase && i > 0 && i + 1 < c.count && c[i + 1].isLowercase
        let afterLower = ch.isUppercase && i > 0 && c[i - 1].isLowercase
        if (startsWord || afterLower) && out.last != "_" { out.append("_") }
        out.append(ch)
    }
    return out.lowercased()
}

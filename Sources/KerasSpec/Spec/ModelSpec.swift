/// The `model` section: a sequential stack, a functional graph, or a Keras model JSON.
///
/// The kind is `type: sequential` (the default), `type: functional` (also inferred when
/// `inputs` or `outputs` is given), or a map with only `keras_json: path.json`.
public enum ModelSpec: Sendable {
    case sequential(SequentialModelSpec)
    case functional(FunctionalModelSpec)
    case kerasJSON(KerasJSONModelSpec)

    /// The output names a per-output `compile` map may use: the functional outputs, none
    /// for a sequential model, nil (unknown until the JSON is read) for a Keras JSON.
    public var outputNames: [String]? {
        switch self {
        case .sequential: return []
        case .functional(let model): return model.outputs
        case .kerasJSON: return nil
        }
    }

    init(node: Node, folder: String) throws(SpecError) {
        let args = try ArgReader(section: node, path: "model")
        if args.has("keras_json") {
            let path = try args.required("keras_json", .string)
            let pathNode = node["keras_json"] ?? node
            try args.finish()
            let resolved = DataPath(original: path, resolved: resolve(path, in: folder), node: pathNode)
            self = .kerasJSON(KerasJSONModelSpec(path: resolved, node: node))
            return
        }
        let inferred = args.has("inputs") || args.has("outputs") ? "functional" : "sequential"
        let type = try args.oneOf("type", ["sequential", "functional"], default: inferred)
        if type == "functional" {
            self = .functional(try FunctionalModelSpec(args: args, node: node))
        } else {
            self = .sequential(try SequentialModelSpec(args: args, node: node))
        }
        try args.finish(alsoKnown: ["type", "input_shape", "layers", "inputs", "outputs", "keras_json"])
    }
}

/// `model: {keras_json: model.json}`: the architecture from Keras's `model.to_json()`.
public struct KerasJSONModelSpec: Sendable {
    /// The JSON file.
    public let path: DataPath
    /// The `model` node.
    public let node: Node
}

/// A sequential stack of layers, with an optional input shape (`input_shape: [784]`, or
/// a first layer `- Input: {shape: [784]}`, which is taken out of ``layers``).
public struct SequentialModelSpec: Sendable {
    /// The per-example input shape, when given.
    public let inputShape: [Int]?
    /// The node of the input shape (`input_shape` value or the `Input` layer).
    public let inputShapeNode: Node?
    /// The layers in order (without a leading `Input`).
    public let layers: [LayerSpec]
    /// The `model` node.
    public let node: Node

    init(args: ArgReader, node: Node) throws(SpecError) {
        var inputShape = try args.shape("input_shape")
        var inputShapeNode = inputShape == nil ? nil : node["input_shape"]
        let items = try layerNodes(args)
        var layers: [LayerSpec] = []
        var names: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "model.layers[\(index)]"
            let object = try ObjectSpec(node: item, path: path)
            if object.name == "Input" {
                guard index == 0 else { throw object.error("Input must be the first layer of a sequential model") }
                if inputShape != nil {
                    throw object.error("the input shape is given twice: by input_shape and by this Input layer")
                }
                inputShape = try InputSpec(node: item, path: path, nameRequired: false).shape
                inputShapeNode = item
                continue
            }
            let layer = try LayerSpec(node: item, path: path, functional: false)
            if let name = layer.name, let nameNode = layer.nameNode {
                if let line = names[name] {
                    throw layer.error("duplicate layer name '\(name)' (first used on line \(line))", at: nameNode)
                }
                names[name] = nameNode.mark.line
            }
            layers.append(layer)
        }
        if layers.isEmpty { throw args.error("layers must list at least one layer", key: "layers") }
        self.inputShape = inputShape
        self.inputShapeNode = inputShapeNode
        self.layers = layers
        self.node = node
    }
}

/// The items of `model.layers`, which must be a non-empty list.
func layerNodes(_ args: ArgReader) throws(SpecError) -> [Node] {
    guard let node = args.node("layers"), !node.isNull else { throw args.missing("layers") }
    guard let items = node.items else {
        throw args.error("layers must be a list of layers, got \(node.got)", at: node)
    }
    if items.isEmpty { throw args.error("layers must list at least one layer", at: node) }
    return items
}

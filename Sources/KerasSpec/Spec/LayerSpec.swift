import KerasText

/// One entry of `model.layers`: the layer object plus its `name`, `inputs` and
/// `training`, which the spec layer pulls out of the arguments (and marks used). Every
/// other argument is left for the builder to read through ``reader(mainArgument:)``.
///
/// `inputs` lists the call's positional arguments as Keras takes them: tensor names, and
/// for `keras.ops` operations also numbers (`ops.add: {inputs: [x, 3.0]}` is
/// `keras.ops.add(x, 3.0)`); the numbers are ``constants``. `training: false` (or `true`)
/// is Keras's call argument `layer(x, training=False)`: the layer always runs in that mode.
/// `attention_mask: m` is a tensor call argument (the attention layers'): its tensor joins
/// the end of ``inputs`` and the object's `callTensors` names it.
///
/// `Shared: {layer: enc, name: enc_right, inputs: right}` is a layer spec whose ``kind``
/// is `Shared`; its `layer` argument is read by the builder.
public struct LayerSpec: Sendable {
    /// The layer object (its name is the layer class, e.g. `Dense`).
    public let object: ObjectSpec
    /// The layer's `name`, if given (required in functional models).
    public let name: String?
    /// The node of `name`.
    public let nameNode: Node?
    /// The tensors it consumes (functional models); empty in sequential models.
    public let inputs: [String]
    /// The nodes of each entry of `inputs`, parallel to ``inputs``.
    public let inputNodes: [Node]
    /// Numbers among `inputs`: (position in the call, value), kept on the object, where
    /// the operation's maker reads them.
    public var constants: [(position: Int, value: Double)] { object.callConstants }
    /// The call argument `training`, when given.
    public let training: Bool?

    /// The layer class as written: `Dense`, `Conv2D`, `Shared`.
    public var kind: String { object.name }
    /// The path, e.g. `model.layers[3]`.
    public var path: String { object.path }
    /// The object node.
    public var node: Node { object.node }

    /// A located error about this layer: `path (Dense 'logits'): message`.
    public func error(_ message: String, at node: Node? = nil) -> SpecError {
        object.error(message, at: node)
    }

    /// A reader for the layer's remaining arguments (`name` and `inputs` count as used).
    public func reader(mainArgument: String? = nil) throws(SpecError) -> ArgReader {
        try ArgReader(object, mainArgument: mainArgument)
    }

    /// Tensor call arguments given by keyword; their tensors follow `inputs`.
    static let tensorKeywords: Set<String> = ["attention_mask"]

    /// Reads a layer; `functional` allows `inputs`.
    init(node: Node, path: String, functional: Bool) throws(SpecError) {
        var object = try ObjectSpec(node: node, path: path)
        var name: String?
        var nameNode: Node?
        var inputs: [String] = []
        var inputNodes: [Node] = []
        var constants: [(position: Int, value: Double)] = []
        var training: Bool?
        var tensorKeywords: [(key: String, tensor: String, node: Node)] = []
        if let entries = object.args?.entries {
            for entry in entries where entry.name == "name" {
                guard let text = entry.value.string, !text.isEmpty else {
                    throw object.error("name must be a non-empty string, got \(entry.value.got)", at: entry.value)
                }
                name = text
                nameNode = entry.value
                object.instanceName = text
                object.consumedKeys.insert("name")
            }
            for entry in entries where entry.name == "inputs" {
                guard functional else {
                    throw object.error("inputs is only for functional models (add 'type: functional' to model)", at: entry.key)
                }
                let nodes = entry.value.items ?? [entry.value]
                if nodes.isEmpty { throw object.error("inputs must name at least one tensor", at: entry.value) }
                for (position, item) in nodes.enumerated() {
                    if let number = item.doubleValue, item.string == nil {
                        guard number.isFinite else { throw object.error("inputs: a constant must be a finite number, got \(item.got)", at: item) }
                        constants.append((position, number))
                        continue
                    }
                    guard let text = item.string else {
                        throw object.error("inputs must be a name or a list of names, got \(item.got)", at: item)
                    }
                    inputs.append(text)
                    inputNodes.append(item)
                }
                if inputs.isEmpty { throw object.error("inputs must name at least one tensor", at: entry.value) }
                object.consumedKeys.insert("inputs")
            }
            for entry in entries where LayerSpec.tensorKeywords.contains(entry.name) && !entry.value.isNull {
                guard functional else {
                    throw object.error("\(entry.name) names a tensor, which only functional models have (add 'type: functional' to model)", at: entry.key)
                }
                guard let text = entry.value.string else {
                    throw object.error("\(entry.name) must name a tensor, got \(entry.value.got)", at: entry.value)
                }
                tensorKeywords.append((entry.name, text, entry.value))
                object.consumedKeys.insert(entry.name)
            }
            for entry in entries where entry.name == "training" && !entry.value.isNull {
                guard let flag = entry.value.boolValue else {
                    throw object.error("training must be true or false, got \(entry.value.got)", at: entry.value)
                }
                training = flag
                object.consumedKeys.insert("training")
            }
        }
        if !tensorKeywords.isEmpty && inputs.isEmpty {
            throw object.error("\(tensorKeywords[0].key) is given but inputs is missing", at: tensorKeywords[0].node)
        }
        inputs += tensorKeywords.map(\.tensor)
        inputNodes += tensorKeywords.map(\.node)
        object.callTensors = tensorKeywords.map(\.key)
        object.callConstants = constants
        self.object = object
        self.name = name
        self.nameNode = nameNode
        self.inputs = inputs
        self.inputNodes = inputNodes
        self.training = training
    }
}

/// A model input: `Input: {name: image, shape: [28, 28, 1]}` (the name is optional in a
/// sequential model).
public struct InputSpec: Sendable {
    /// The input's name.
    public let name: String?
    /// The per-example shape.
    public let shape: [Int]
    /// The `Input` object.
    public let object: ObjectSpec

    /// The node of the `Input` object.
    public var node: Node { object.node }
    /// The mark of the `Input` object.
    public var mark: Mark { object.mark }

    init(node: Node, path: String, nameRequired: Bool) throws(SpecError) {
        var object = try ObjectSpec(node: node, path: path)
        guard object.name == "Input" else {
            throw object.error("expected an Input: {name: ..., shape: [...]}, got \(object.name)" + didYouMean(object.name, among: ["Input"]), at: object.nameNode)
        }
        let args = try ArgReader(object, mainArgument: "shape")
        let name = try args.string("name")
        shape = try args.required("shape", .shape)
        try args.finish()
        if nameRequired, name == nil {
            throw object.error("every input of a functional model needs a name")
        }
        object.instanceName = name
        self.name = name
        self.object = object
    }
}

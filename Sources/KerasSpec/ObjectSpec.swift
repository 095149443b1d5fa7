/// One object in SPEC's "one object syntax": a bare name (`relu`, `adam`) or a single-key
/// map `{Name: args}` whose args are a map, or a scalar (or list) for objects with one
/// main argument (`Dropout: 0.2`, `l2: 0.001`, `Dense: 10`).
///
/// Read its arguments with ``reader(mainArgument:)``; raise errors about it with
/// ``error(_:at:)`` so that they print `path (Name 'instance'): message`.
public struct ObjectSpec: Sendable {
    /// The object's name as written: `Dense`, `relu`, `sparse_categorical_crossentropy`.
    public let name: String
    /// The node holding the name (the bare scalar, or the map's single key).
    public let nameNode: Node
    /// The arguments: a map, a scalar or a list; nil for a bare name or `Name:` / `Name: null`.
    public let args: Node?
    /// The whole object node.
    public let node: Node
    /// The path shown in errors, e.g. `model.layers[3]` or `compile.optimizer`.
    public let path: String
    /// The instance name (a layer's `name`), shown in the label as `Dense 'logits'`.
    public var instanceName: String?
    /// Argument keys already consumed by the spec layer (a layer's `name` and `inputs`);
    /// a reader treats them as used.
    public var consumedKeys: Set<String> = []
    /// The argument a single value stands for (`Dense: 10` is `units: 10`), set by the
    /// registry entry that makes this object; nil means a single value is an error.
    public var mainArgument: String?
    /// Numbers given among a layer's `inputs` (position in the call, value): the constant
    /// operands of a `keras.ops` operation. Only operations accept them.
    public var callConstants: [(position: Int, value: Double)] = []
    /// Tensor call arguments given by keyword (`attention_mask: m`), in the order their
    /// tensors follow the positional `inputs` (attention layers only).
    public var callTensors: [String] = []

    /// Reads an object from `node`; `path` defaults to the node's own path.
    public init(node: Node, path: String? = nil) throws(SpecError) {
        let shownPath = path ?? node.pathString
        self.node = node
        self.path = shownPath
        let expected = "expected an object: a name like 'relu' or a map {Name: arguments}"
        switch node.content {
        case .scalar(let scalar):
            guard case .string(let name) = scalar.value, !name.isEmpty else {
                throw node.error("\(expected), got \(node.got)", path: shownPath)
            }
            self.name = name
            self.nameNode = node
            self.args = nil
        case .sequence:
            throw node.error("\(expected), got a list", path: shownPath)
        case .mapping(let entries):
            guard let entry = entries.first else {
                throw node.error("\(expected), got an empty map", path: shownPath)
            }
            if entries.count > 1 {
                let keys = entries.map { "'\($0.name)'" }.joined(separator: ", ")
                var message = "expected one object {Name: arguments}, got a map with keys \(keys)"
                if entry.value.isNull {
                    message += "; indent the arguments under '\(entry.name)'"
                }
                throw node.error(message, path: shownPath)
            }
            guard !entry.name.isEmpty else {
                throw entry.key.error("an object name cannot be empty", path: shownPath)
            }
            self.name = entry.name
            self.nameNode = entry.key
            self.args = entry.value.isNull ? nil : entry.value
        }
    }

    /// A bare-name object from its parts (used for defaults such as `rmsprop`).
    init(bareName name: String, node: Node, path: String) {
        self.name = name
        self.nameNode = node
        self.args = nil
        self.node = node
        self.path = path
    }

    /// `Name` or `Name 'instance'`, printed after the path in errors.
    public var label: String {
        guard let instanceName else { return name }
        return "\(name) '\(instanceName)'"
    }

    /// The mark of the object.
    public var mark: Mark { node.mark }

    /// A located error about this object, to `throw`: at `node` (default: the object's
    /// start), printed `file:line:col: path (Name 'instance'): message`.
    public func error(_ message: String, at node: Node? = nil) -> SpecError {
        SpecError(message, at: (node ?? self.node).mark, path: path, label: label)
    }

    /// A reader for this object's arguments. `mainArgument` names the key a scalar stands
    /// for (`"rate"` for Dropout, `"units"` for Dense), by default the one its registry
    /// entry declares; nil means a scalar is an error.
    public func reader(mainArgument: String? = nil) throws(SpecError) -> ArgReader {
        try ArgReader(self, mainArgument: mainArgument ?? self.mainArgument)
    }
}

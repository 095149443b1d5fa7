/// Building spec nodes by hand: the Keras JSON translation writes the YAML form of a
/// model (`{Dense: {units: 10}}`) out of JSON nodes, keeping each JSON node's mark so
/// that every later error still points into the JSON file.
extension Node {
    /// A string scalar (quoted, so never read as a number) at `mark`.
    static func string(_ text: String, at mark: Mark, path: NodePath = .root) -> Node {
        Node(.scalar(Scalar(raw: text, quoted: true)), mark: mark, path: path)
    }

    /// An integer scalar at `mark`.
    static func int(_ value: Int, at mark: Mark, path: NodePath = .root) -> Node {
        Node(.scalar(Scalar(raw: String(value), quoted: false)), mark: mark, path: path)
    }

    /// A boolean scalar at `mark`.
    static func bool(_ value: Bool, at mark: Mark, path: NodePath = .root) -> Node {
        Node(.scalar(Scalar(raw: value ? "true" : "false", quoted: false)), mark: mark, path: path)
    }

    /// A sequence of `items` at `mark`.
    static func list(_ items: [Node], at mark: Mark, path: NodePath = .root) -> Node {
        Node(.sequence(items), mark: mark, path: path)
    }

    /// A mapping from `(key, key mark, value)` triples, in order, at `mark`.
    static func map(_ entries: [(String, Mark, Node)], at mark: Mark, path: NodePath = .root) -> Node {
        Node(.mapping(entries.map { Entry(key: .string($0.0, at: $0.1, path: path), value: $0.2) }),
             mark: mark, path: path)
    }

    /// The single-key object `{name: args}` (`args` nil: `{name: {}}`), the key marked at `nameMark`.
    static func object(_ name: String, nameMark: Mark, args: [(String, Mark, Node)], at mark: Mark) -> Node {
        map([(name, nameMark, .map(args, at: mark))], at: mark)
    }

    /// The integer value of a plain integer scalar.
    var intValue: Int? {
        if case .int(let value)? = scalar?.value { return value }
        return nil
    }

    /// The value of a plain number scalar (integer or float).
    var doubleValue: Double? {
        switch scalar?.value {
        case .int(let value)?: return Double(value)
        case .float(let value)?: return value
        default: return nil
        }
    }

    /// The boolean value of a plain `true`/`false` scalar.
    var boolValue: Bool? {
        if case .bool(let value)? = scalar?.value { return value }
        return nil
    }

    /// Same content (recursively), marks ignored: used to compare Keras configs.
    func sameContent(as other: Node) -> Bool {
        switch (content, other.content) {
        case let (.scalar(a), .scalar(b)): return a.value == b.value
        case let (.sequence(a), .sequence(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
        case let (.mapping(a), .mapping(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value.sameContent(as: $1.value) }
        default: return false
        }
    }
}

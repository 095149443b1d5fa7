/// One node of a loaded YAML document: a scalar, a sequence or a mapping, with its
/// ``Mark`` and its ``NodePath``.
///
/// Nodes are immutable. Aliases are expanded when the document is loaded, so a node
/// reached through an alias has its own path but the mark of the anchored text.
public final class Node: Sendable {
    /// A mapping entry: the key node (always a scalar) and its value.
    public struct Entry: Sendable {
        /// The key node.
        public let key: Node
        /// The value node.
        public let value: Node
        /// The key's text.
        public var name: String { key.scalar?.raw ?? "" }
    }

    /// What a node holds.
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Entry])
    }

    /// The node's content.
    public let content: Content
    /// Where the node starts in the file.
    public let mark: Mark
    /// Where the node sits in the document.
    public let path: NodePath
    /// The number of nodes in this subtree, this one included.
    public let size: Int
    /// The nesting depth of this subtree: 0 for a scalar, 1 for a flat list or map.
    public let height: Int

    /// Creates a node; `size` and `height` are computed from the content.
    public init(_ content: Content, mark: Mark, path: NodePath) {
        self.content = content
        self.mark = mark
        self.path = path
        switch content {
        case .scalar:
            size = 1
            height = 0
        case .sequence(let items):
            size = 1 + items.reduce(0) { $0 + $1.size }
            height = 1 + (items.map(\.height).max() ?? 0)
        case .mapping(let entries):
            size = 1 + entries.reduce(0) { $0 + $1.key.size + $1.value.size }
            height = 1 + (entries.map(\.value.height).max() ?? 0)
        }
    }

    /// The scalar, if this node is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, if this node is a sequence.
    public var items: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries in file order, if this node is a mapping.
    public var entries: [Entry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// True for a `null`, `~` or empty plain scalar.
    public var isNull: Bool { scalar?.value == .null }

    /// The text of a non-null scalar (a string, or the raw text of a number or bool).
    public var text: String? {
        guard let scalar, scalar.value != .null else { return nil }
        return scalar.raw
    }

    /// The string of a scalar that resolved to a string (quoted, or plain non-number text).
    public var string: String? {
        if case .string(let value)? = scalar?.value { return value }
        return nil
    }

    /// The value for `key` in a mapping, or nil.
    public subscript(key: String) -> Node? {
        entries?.first { $0.name == key }?.value
    }

    /// The dotted path, e.g. `model.layers[3]`.
    public var pathString: String { path.description }

    /// What this node is, for "expected ..., got ..." messages: `-4`, `'abc'`, `a list`,
    /// `a map`, `null`.
    public var got: String {
        switch content {
        case .sequence(let items): return items.isEmpty ? "an empty list" : "a list"
        case .mapping(let entries): return entries.isEmpty ? "an empty map" : "a map"
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return "null"
            case .string(let value):
                if scalar.quoted, Scalar.resolve(plain: value) != .string(value) {
                    return "'\(value)' (quoted, so a string)"
                }
                return "'\(value)'"
            default: return scalar.raw
            }
        }
    }

    /// A located error at this node, to `throw`: `file:line:col: path: message`.
    ///
    /// - Parameters:
    ///   - message: what is wrong, stating what was expected and what was received.
    ///   - path: the path to print; defaults to this node's own path.
    ///   - label: an optional object label printed after the path, e.g. `Dense 'logits'`.
    public func error(_ message: String, path: String? = nil, label: String? = nil) -> SpecError {
        let shown = path ?? pathString
        return SpecError(message, at: mark, path: shown.isEmpty ? nil : shown, label: label)
    }

    /// This subtree copied under a new path, keeping every mark (used to expand aliases).
    func copy(to newPath: NodePath) -> Node {
        switch content {
        case .scalar:
            return Node(content, mark: mark, path: newPath)
        case .sequence(let items):
            let copies = items.enumerated().map { $1.copy(to: newPath.appending(index: $0)) }
            return Node(.sequence(copies), mark: mark, path: newPath)
        case .mapping(let entries):
            let copies = entries.map { entry in
                Entry(key: entry.key.copy(to: newPath),
                      value: entry.value.copy(to: newPath.appending(key: entry.name)))
            }
            return Node(.mapping(copies), mark: mark, path: newPath)
        }
    }
}

import KerasSpec
import KerasText
import Synchronization

/// One kind of Keras object (layers, activations, losses, ...): a literal table of
/// entries, each carrying everything the project knows about a name — the Keras class
/// name and aliases, the main argument a single value stands for, how `.keras` export
/// lays out its weights, and the maker. The spec builder, Keras JSON import (through the
/// builder), `.keras` export, "did you mean" suggestions and the tests that build every
/// entry all read it.
///
/// The built-in table never changes. Swift users add entries with ``register(_:mainArgument:_:)``
/// (thread-safe); a registered name replaces a built-in of the same name.
public final class Registry<Product>: @unchecked Sendable {
    public typealias Maker = (ObjectSpec) throws -> Product

    /// One name's entry. Immutable; its maker is a plain function of the spec object
    /// (table makers capture nothing), hence `@unchecked Sendable`.
    public struct Entry: @unchecked Sendable {
        /// Every name the object answers to: the Keras class name first, then aliases.
        public let names: [String]
        /// The argument a single value stands for (`Dense: 10` is `units: 10`); nil when a
        /// single value is an error.
        public let mainArgument: String?
        /// How `.keras` export writes the object's weights (layers only).
        public let weights: WeightLayout
        /// Builds the object; its `o.reader()` already knows `mainArgument`.
        public let make: Maker

        public init(_ names: [String], main mainArgument: String? = nil, weights: WeightLayout = .own, _ make: @escaping Maker) {
            precondition(!names.isEmpty, "a registry entry needs a name")
            (self.names, self.mainArgument, self.weights, self.make) = (names, mainArgument, weights, make)
        }

        /// The Keras class name (or the canonical alias).
        public var name: String { names[0] }
    }

    /// What the registry holds, for messages: "layer", "activation", "loss", ...
    public let kind: String
    /// The built-in entries, in table order.
    public let builtIn: [Entry]
    private let index: [String: Int]
    private let registered = Mutex<[Entry]>([])

    public init(kind: String, _ entries: [Entry]) {
        self.kind = kind
        self.builtIn = entries
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() {
            for n in e.names {
                precondition(index[n] == nil, "\(kind) '\(n)' is in the table twice")
                index[n] = i
            }
        }
        self.index = index
    }

    /// Adds (or replaces) an entry; a Swift user registers custom objects this way.
    public func register(_ names: [String], mainArgument: String? = nil, _ make: @escaping Maker) {
        let entry = Entry(names, main: mainArgument, make)
        registered.withLock { list in
            list.removeAll { !Set($0.names).isDisjoint(with: names) }
            list.append(entry)
        }
    }

    /// Removes the registered entries answering to any of `names` (built-ins stay).
    public func unregister(_ names: [String]) {
        registered.withLock { list in list.removeAll { !Set($0.names).isDisjoint(with: names) } }
    }

    /// The entry for `name`: a registered one, else the built-in.
    public func entry(named name: String) -> Entry? {
        if let e = registered.withLock({ $0.last { $0.names.contains(name) } }) { return e }
        return index[name].map { builtIn[$0] }
    }

    /// Every entry: built-ins (those not replaced), then registered ones.
    public var entries: [Entry] {
        let extra = registered.withLock { $0 }
        let replaced = Set(extra.flatMap(\.names))
        return builtIn.filter { replaced.isDisjoint(with: $0.names) } + extra
    }

    /// Every accepted name, aliases included.
    public var allNames: [String] { entries.flatMap(\.names).sorted() }

    /// Canonical names (the first name of each entry), in table order.
    public var canonicalNames: [String] { entries.map(\.name) }

    public func contains(_ name: String) -> Bool { entry(named: name) != nil }

    /// Builds the object `spec` names.
    public func make(_ spec: ObjectSpec) throws -> Product {
        guard let entry = entry(named: spec.name) else { throw unknown(spec) }
        var o = spec
        o.mainArgument = entry.mainArgument
        return try entry.make(o)
    }

    /// The "unknown name" error for `spec`.
    public func unknown(_ spec: ObjectSpec) -> SpecError {
        spec.error(unknownName("unknown \(kind) '\(spec.name)'", spec.name, among: allNames,
                               otherwise: " (known: \(canonicalNames.joined(separator: ", ")))"), at: spec.nameNode)
    }
}

/// A maker for an object that takes no arguments: `plain(.relu6)`, `plain(Flatten())`.
func plain<Product>(_ make: @escaping @autoclosure () -> Product) -> (ObjectSpec) throws -> Product {
    { o in let r = try o.reader(); try r.finish(); return make() }
}

/// How `.keras` export writes a layer's weights in `model.weights.h5` (Keras 3's layout).
public enum WeightLayout: Sendable, Equatable {
    /// The layer's own `vars/0..n` (every layer without sublayers).
    case own
    /// Under `cell/` (SimpleRNN, LSTM, GRU).
    case cell
    /// Half under `forward_layer/`, half under `backward_layer/` (Bidirectional).
    case bidirectional
    /// Under `layer/` (TimeDistributed).
    case wrapped
    /// Split evenly over sub-layer groups, in `get_weights()` order (not the file's
    /// alphabetical one), with `empty` groups of weightless sub-layers written beside them:
    /// MultiHeadAttention's `query_dense/`, `key_dense/`, `value_dense/`, `output_dense/`
    /// (and empty `_dropout_layer/`, `_softmax/`); TokenAndPositionEmbedding's
    /// `token_embedding/`, `position_embedding/`. A group with a `count` takes that many
    /// arrays, one with a `className` is laid out as that class is (TransformerEncoder's
    /// `_self_attention_layer/` as a MultiHeadAttention).
    case groups([WeightGroup], empty: [String] = [])
}

/// One sub-layer group of a `.groups` layout.
public struct WeightGroup: Sendable, Equatable, ExpressibleByStringLiteral {
    public let name: String
    /// How many of the layer's arrays it holds; nil splits the arrays evenly.
    public let count: Int?
    /// The sub-layer's class, when its own layout is not `.own`.
    public let className: String?
    /// Present only in some configurations (TransformerDecoder's cross-attention): written
    /// only when the layer has the arrays of every group, and read when the file has it.
    public let optional: Bool
    public init(_ name: String, count: Int? = nil, className: String? = nil, optional: Bool = false) {
        self.name = name; self.count = count; self.className = className; self.optional = optional
    }
    public init(stringLiteral name: String) { self.init(name) }
}

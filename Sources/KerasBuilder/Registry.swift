import KerasSpec
import KerasText

/// A table from Keras names (class names and string aliases) to makers. Unknown names
/// fail with a located error and a "did you mean" suggestion, or the list of known names.
public struct Registry<Product> {
    public typealias Maker = (ObjectSpec) throws -> Product

    /// What the registry holds, for messages: "layer", "activation", "loss", ...
    public let kind: String
    private var makers: [String: Maker] = [:]
    /// Canonical names (the first name of each entry), in table order.
    public private(set) var canonicalNames: [String] = []

    /// `entries`: every name an object answers to (class name first, then aliases) and its maker.
    public init(kind: String, _ entries: [([String], Maker)]) {
        self.kind = kind
        for (names, make) in entries { register(names, make) }
    }

    /// Adds (or replaces) an entry; a Swift user registers custom objects this way.
    public mutating func register(_ names: [String], _ make: @escaping Maker) {
        guard let first = names.first else { return }
        if makers[first] == nil { canonicalNames.append(first) }
        for n in names { makers[n] = make }
    }

    /// Every accepted name, aliases included.
    public var allNames: [String] { makers.keys.sorted() }

    public func contains(_ name: String) -> Bool { makers[name] != nil }

    /// Builds the object `spec` names.
    public func make(_ spec: ObjectSpec) throws -> Product {
        guard let make = makers[spec.name] else { throw unknown(spec) }
        return try make(spec)
    }

    /// The "unknown name" error for `spec`.
    public func unknown(_ spec: ObjectSpec) -> SpecError {
        spec.error(unknownName("unknown \(kind) '\(spec.name)'", spec.name, among: allNames,
                               otherwise: " (known: \(canonicalNames.joined(separator: ", ")))"), at: spec.nameNode)
    }
}

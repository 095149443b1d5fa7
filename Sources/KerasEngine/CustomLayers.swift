import Synchronization

/// A plain argument value for a custom layer, as written in YAML.
public enum ArgValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ArgValue])

    public var description: String {
        switch self {
        case let .int(v): String(v)
        case let .double(v): String(v)
        case let .bool(v): String(v)
        case let .string(v): "'\(v)'"
        case let .list(vs): "[" + vs.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// A custom layer's arguments: its `name` and the other keys, with typed readers that
/// throw a `CustomLayerError` naming the key on a missing or mistyped value.
///
/// The typed readers record the keys they are asked for, so the caller can reject the
/// keys no reader asked for (`unusedKeys`), as for built-in layers. Reading the raw
/// `values` counts as reading every key.
public struct CustomLayerArguments: Sendable {
    public let layerType: String
    public let name: String
    private let storage: [String: ArgValue]
    private let log = KeyLog()

    public init(layerType: String, name: String, values: [String: ArgValue]) {
        self.layerType = layerType; self.name = name; self.storage = values
    }

    /// Every argument as given (marks them all as read).
    public var values: [String: ArgValue] {
        log.keys.withLock { $0.formUnion(storage.keys) }
        return storage
    }

    /// The keys given that no reader asked for, sorted.
    public var unusedKeys: [String] { log.keys.withLock { a in storage.keys.filter { !a.contains($0) }.sorted() } }

    /// The keys the readers asked for so far (for "did you mean" suggestions), sorted.
    public var askedKeys: [String] { log.keys.withLock { $0.sorted() } }

    /// The value of `key`, recording that it was asked for.
    private func value(_ key: String) -> ArgValue? {
        log.keys.withLock { _ = $0.insert(key) }
        return storage[key]
    }

    /// The error for a value of `key` the layer cannot use, to `throw` from a maker:
    /// `throw args.invalid("factor", expected: "a positive number")`.
    public func invalid(_ key: String, expected: String) -> CustomLayerError { bad(key, expected) }

    private func bad(_ key: String, _ expected: String) -> CustomLayerError {
        .badArgument(layer: layerType, key: key, expected: expected, got: storage[key]?.description ?? "nothing")
    }

    public func int(_ key: String, default d: Int? = nil) throws -> Int {
        switch value(key) { case let .int(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "an integer")
    }
    public func double(_ key: String, default d: Double? = nil) throws -> Double {
        switch value(key) {
        case let .double(v)?: return v
        case let .int(v)?: return Double(v)
        case nil: if let d { return d }
        default: break
        }
        throw bad(key, "a number")
    }
    public func bool(_ key: String, default d: Bool? = nil) throws -> Bool {
        switch value(key) { case let .bool(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "true or false")
    }
    public func string(_ key: String, default d: String? = nil) throws -> String {
        switch value(key) { case let .string(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "a string")
    }
    public func ints(_ key: String, default d: [Int]? = nil) throws -> [Int] {
        switch value(key) {
        case let .list(vs)?:
            let ints = vs.compactMap { if case let .int(i) = $0 { i } else { nil } }
            if ints.count == vs.count { return ints }
        case let .int(v)?: return [v]
        case nil: if let d { return d }
        default: break
        }
        throw bad(key, "a list of integers")
    }
}

/// The keys a `CustomLayerArguments` was asked for (shared by its copies).
private final class KeyLog: Sendable {
    let keys = Mutex<Set<String>>([])
}

/// A problem with a custom layer's registration or arguments.
public enum CustomLayerError: Error, CustomStringConvertible, Equatable {
    case badArgument(layer: String, key: String, expected: String, got: String)
    public var description: String {
        switch self {
        case let .badArgument(layer, key, expected, got): "\(layer): argument '\(key)' should be \(expected), got \(got)"
        }
    }
}

/// Layers written in Swift, registered under a name so a YAML spec can use them.
///
/// ```swift
/// CustomLayers.register("Scale") { args in
///     try ScaleLayer(factor: Float(args.double("factor", default: 1)), name: args.name)
/// }
/// ```
/// The builder (which owns the built-in layer table) looks a type name up here when it
/// is not a built-in, calls the maker with the YAML arguments (`name` is passed
/// separately, every other key in `values`), and reports errors it throws.
public enum CustomLayers {
    public typealias Maker = @Sendable (CustomLayerArguments) throws -> any Layer

    private static let table = Mutex<[String: Maker]>([:])

    /// Registers (or replaces) the maker for `name`.
    public static func register(_ name: String, make: @escaping Maker) {
        table.withLock { $0[name] = make }
    }

    /// The maker registered for `name`, if any.
    public static func maker(for name: String) -> Maker? { table.withLock { $0[name] } }

    /// Every registered name, sorted (for "known layers" lists).
    public static var names: [String] { table.withLock { $0.keys.sorted() } }

    /// Removes a registration (mainly for tests).
    public static func unregister(_ name: String) { _ = table.withLock { $0.removeValue(forKey: name) } }
}

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
public struct CustomLayerArguments: Sendable {
    public let layerType: String
    public let name: String
    public let values: [String: ArgValue]
    public init(layerType: String, name: String, values: [String: ArgValue]) {
        self.layerType = layerType; self.name = name; self.values = values
    }

    private func bad(_ key: String, _ expected: String) -> CustomLayerError {
        .badArgument(layer: layerType, key: key, expected: expected, got: values[key]?.description ?? "nothing")
    }

    public func int(_ key: String, default d: Int? = nil) throws -> Int {
        switch values[key] { case let .int(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "an integer")
    }
    public func double(_ key: String, default d: Double? = nil) throws -> Double {
        switch values[key] {
        case let .double(v)?: return v
        case let .int(v)?: return Double(v)
        case nil: if let d { return d }
        default: break
        }
        throw bad(key, "a number")
    }
    public func bool(_ key: String, default d: Bool? = nil) throws -> Bool {
        switch values[key] { case let .bool(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "true or false")
    }
    public func string(_ key: String, default d: String? = nil) throws -> String {
        switch values[key] { case let .string(v)?: return v; case nil: if let d { return d }; default: break }
        throw bad(key, "a string")
    }
    public func ints(_ key: String, default d: [Int]? = nil) throws -> [Int] {
        switch values[key] {
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

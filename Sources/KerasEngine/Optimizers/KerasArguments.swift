/// A Keras argument value as a spec gives it (the builder's currency for `Config.set`).
public enum KerasValue: Equatable, Sendable, CustomStringConvertible {
    case number(Double), bool(Bool), string(String), none

    public var description: String {
        switch self {
        case let .number(d): return "\(d)"
        case let .bool(b): return b ? "True" : "False"
        case let .string(s): return "\"\(s)\""
        case .none: return "None"
        }
    }
}

/// Where a Keras argument lives in a `Config`.
public enum KerasField<C> {
    case number(WritableKeyPath<C, Double>)
    case optionalNumber(WritableKeyPath<C, Double?>)
    case bool(WritableKeyPath<C, Bool>)
}

/// A config struct whose stored defaults are Keras's, with its Keras argument names listed
/// once in `fields`: the table and the setter below are derived from it.
public protocol KerasArgumentConfig {
    init()
    /// Keras argument name → field, in Keras's signature order.
    static var fields: [(name: String, field: KerasField<Self>)] { get }
}

extension KerasArgumentConfig {
    /// Each Keras argument with this config's value (Keras's defaults for `Self()`).
    public var kerasArguments: [(name: String, value: KerasValue)] {
        Self.fields.map { name, field in
            switch field {
            case let .number(k): return (name, .number(self[keyPath: k]))
            case let .optionalNumber(k): return (name, self[keyPath: k].map(KerasValue.number) ?? .none)
            case let .bool(k): return (name, .bool(self[keyPath: k]))
            }
        }
    }

    /// Keras's defaults of this config's arguments.
    public static var kerasDefaults: [(name: String, value: KerasValue)] { Self().kerasArguments }

    /// Sets Keras argument `name`; throws when the name is unknown or the value has the wrong kind.
    public mutating func set(_ name: String, _ value: KerasValue, owner: String) throws {
        guard let field = Self.fields.first(where: { $0.name == name })?.field else {
            throw OptimizerError.invalidArgument(owner: owner, argument: name, value: value.description,
                                                 expected: "one of the arguments \(Self.fields.map(\.name).joined(separator: ", "))")
        }
        switch (field, value) {
        case let (.number(k), .number(d)): self[keyPath: k] = d
        case let (.optionalNumber(k), .number(d)): self[keyPath: k] = d
        case let (.optionalNumber(k), .none): self[keyPath: k] = nil
        case let (.bool(k), .bool(b)): self[keyPath: k] = b
        case (.bool, _):
            throw OptimizerError.invalidArgument(owner: owner, argument: name, value: value.description, expected: "a boolean")
        default:
            throw OptimizerError.invalidArgument(owner: owner, argument: name, value: value.description, expected: "a float")
        }
    }
}

/// A float32 constant from a Keras (Python float) hyperparameter.
@inline(__always) func f32(_ d: Double) -> Float { Float(d) }

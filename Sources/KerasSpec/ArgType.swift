import KerasText

/// Why a value did not convert: the offending node (the value, or one element of a list)
/// and, optionally, a better "got" text and a hint appended to the message.
public struct ArgMismatch: Error, Sendable {
    /// The node that is wrong.
    public let node: Node
    /// Replaces the node's own "got" text when set.
    public let got: String?
    /// Appended to the message, e.g. `; did you mean 'same'?`.
    public let hint: String

    /// Creates a mismatch.
    public init(node: Node, got: String? = nil, hint: String = "") {
        self.node = node
        self.got = got
        self.hint = hint
    }
}

/// A conversion from a node to a typed value, with the text of what it expects
/// ("a positive integer"). ``ArgReader`` turns failures into
/// `key must be <expected>, got <got>` located at the bad node.
public struct ArgType<T>: Sendable {
    /// What the conversion accepts, e.g. `a positive integer`.
    public let expected: String
    /// The conversion.
    public let convert: @Sendable (Node) throws(ArgMismatch) -> T

    /// Creates a conversion.
    public init(expected: String, convert: @escaping @Sendable (Node) throws(ArgMismatch) -> T) {
        self.expected = expected
        self.convert = convert
    }
}

extension ArgType where T == Int {
    /// The largest size a spec may give (units, filters, kernel sizes, shape dimensions...):
    /// 2^31 − 1, as in int32-indexed frameworks.
    public static var maxSize: Int { Int(Int32.max) }
    /// Any integer that fits in `Int`; a larger literal fails with "(too large)".
    public static var int: ArgType<Int> { integer("an integer") { _ in true } }
    /// An integer > 0.
    public static var positiveInt: ArgType<Int> { integer("a positive integer") { $0 > 0 } }
    /// An integer ≥ 0.
    public static var nonNegativeInt: ArgType<Int> { integer("a non-negative integer") { $0 >= 0 } }

    /// An integer satisfying `accept`.
    public static func integer(_ expected: String, _ accept: @escaping @Sendable (Int) -> Bool) -> ArgType<Int> {
        ArgType(expected: expected) { node throws(ArgMismatch) in
            try readInt(node, accept)
        }
    }
}

/// Reads an integer scalar, rejecting floats, strings and out-of-range literals.
func readInt(_ node: Node, _ accept: (Int) -> Bool) throws(ArgMismatch) -> Int {
    guard let scalar = node.scalar else { throw ArgMismatch(node: node) }
    if case .int(let value) = scalar.value, accept(value) {
        // Sizes (positive and non-negative integers, shapes) are capped so that shape
        // arithmetic on them cannot overflow; see `ArgType.maxSize`.
        if value > ArgType<Int>.maxSize, !accept(-1) { throw ArgMismatch(node: node, got: "\(value) (too large: at most \(ArgType<Int>.maxSize))") }
        return value
    }
    if scalar.isIntegerLiteral, case .float = scalar.value {
        throw ArgMismatch(node: node, got: "\(scalar.raw) (too large)")
    }
    throw ArgMismatch(node: node)
}

extension ArgType where T == Double {
    /// Any number (integers are accepted), including `.inf` and `.nan`.
    public static var double: ArgType<Double> {
        ArgType(expected: "a number") { node throws(ArgMismatch) in
            switch node.scalar?.value {
            case .int(let value)?: return Double(value)
            case .float(let value)?: return value
            default: throw ArgMismatch(node: node)
            }
        }
    }

    /// A number between `lower` and `upper`, each bound inclusive or not:
    /// expected text like `a number in (0, 1)`.
    public static func range(_ lower: Double, _ upper: Double,
                             lowerInclusive: Bool = true, upperInclusive: Bool = true) -> ArgType<Double> {
        let text = "a number in \(lowerInclusive ? "[" : "(")\(format(lower)), \(format(upper))\(upperInclusive ? "]" : ")")"
        return ArgType(expected: text) { node throws(ArgMismatch) in
            let value = try ArgType<Double>.double.convert(node)
            let aboveLower = lowerInclusive ? value >= lower : value > lower
            let belowUpper = upperInclusive ? value <= upper : value < upper
            guard aboveLower && belowUpper else { throw ArgMismatch(node: node) }
            return value
        }
    }
}

/// `1` rather than `1.0` for whole bounds.
func format(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}

extension ArgType where T == Bool {
    /// `true` or `false`.
    public static var bool: ArgType<Bool> {
        ArgType(expected: "true or false") { node throws(ArgMismatch) in
            guard case .bool(let value)? = node.scalar?.value else { throw ArgMismatch(node: node) }
            return value
        }
    }
}

extension ArgType where T == String {
    /// A string (quoted, or plain text that is not a number, bool or null).
    public static var string: ArgType<String> {
        ArgType(expected: "a string") { node throws(ArgMismatch) in
            guard let value = node.string else { throw ArgMismatch(node: node) }
            return value
        }
    }

    /// One of `options`, exactly; a near miss gets a "did you mean".
    public static func oneOf(_ options: [String]) -> ArgType<String> {
        let listed = options.map { "'\($0)'" }.joined(separator: ", ")
        return ArgType(expected: "one of \(listed)") { node throws(ArgMismatch) in
            guard let value = node.string ?? node.text else { throw ArgMismatch(node: node) }
            guard options.contains(value) else {
                throw ArgMismatch(node: node, got: "'\(value)'", hint: didYouMean(value, among: options))
            }
            return value
        }
    }
}

extension ArgType where T == [String] {
    /// A string or a list of strings (`inputs: c1` or `inputs: [c1, c2]`).
    public static var stringOrStringList: ArgType<[String]> {
        ArgType(expected: "a name or a list of names") { node throws(ArgMismatch) in
            if let value = node.string { return [value] }
            guard let items = node.items else { throw ArgMismatch(node: node) }
            var result: [String] = []
            for (index, item) in items.enumerated() {
                guard let value = item.string else {
                    throw ArgMismatch(node: item, got: "\(item.got) at [\(index)]")
                }
                result.append(value)
            }
            return result
        }
    }
}

extension ArgType where T == [Int] {
    /// A list of integers.
    public static var intList: ArgType<[Int]> { list(of: "integers") { _ in true } }

    /// A list of positive integers; a single integer `n` is read as `[n]`.
    public static var shape: ArgType<[Int]> {
        let inner = list(of: "positive integers", allowScalar: true) { $0 > 0 }
        return ArgType(expected: "a shape (a list of positive integers)", convert: inner.convert)
    }

    /// An integer or a list of exactly `count` integers, as Keras's `kernel_size: 3` or
    /// `[3, 3]`; a single integer is repeated `count` times.
    public static func intOrTuple(count: Int, positive: Bool = true) -> ArgType<[Int]> {
        let kind = positive ? "positive integer" : "non-negative integer"
        let accept: @Sendable (Int) -> Bool
        if positive {
            accept = { (value: Int) -> Bool in value > 0 }
        } else {
            accept = { (value: Int) -> Bool in value >= 0 }
        }
        let elements = list(of: "", accept)
        return ArgType(expected: "a \(kind) or a list of \(count) \(kind)s") { (node: Node) throws(ArgMismatch) -> [Int] in
            if node.scalar != nil {
                let value = try readInt(node, accept)
                return Array(repeating: value, count: count)
            }
            let values = try elements.convert(node)
            guard values.count == count else {
                throw ArgMismatch(node: node, got: "a list of \(values.count)")
            }
            return values
        }
    }

    /// A list whose every element is an integer accepted by `accept`.
    public static func list(of what: String, allowScalar: Bool = false,
                            _ accept: @escaping @Sendable (Int) -> Bool) -> ArgType<[Int]> {
        ArgType(expected: "a list of \(what)") { node throws(ArgMismatch) in
            if allowScalar, node.scalar != nil { return [try readInt(node, accept)] }
            guard let items = node.items else { throw ArgMismatch(node: node) }
            var result: [Int] = []
            for (index, item) in items.enumerated() {
                do throws(ArgMismatch) {
                    result.append(try readInt(item, accept))
                } catch {
                    throw ArgMismatch(node: item, got: "\(error.got ?? item.got) at [\(index)]")
                }
            }
            return result
        }
    }
}

extension ArgType where T == [Double] {
    /// A list of finite numbers (integers accepted).
    public static var doubleList: ArgType<[Double]> {
        ArgType(expected: "a list of numbers") { node throws(ArgMismatch) in
            guard let items = node.items else { throw ArgMismatch(node: node) }
            var result: [Double] = []
            for (index, item) in items.enumerated() {
                switch item.scalar?.value {
                case .int(let v)?: result.append(Double(v))
                case .float(let v)? where v.isFinite: result.append(v)
                default: throw ArgMismatch(node: item, got: "\(item.got) at [\(index)]")
                }
            }
            return result
        }
    }
}

import Foundation

/// The typed value of a scalar under the YAML 1.2 core schema.
public enum ScalarValue: Sendable, Equatable {
    /// `null`, `~` or nothing at all.
    case null
    /// `true` or `false` (also `True`, `TRUE`, ...).
    case bool(Bool)
    /// A decimal, `0x` hexadecimal or `0o` octal integer that fits in `Int`.
    case int(Int)
    /// A float (`1e-3`, `.5`, `.inf`, `-.inf`, `.nan`), or an integer too large for `Int`.
    case float(Double)
    /// Anything else, and every quoted scalar.
    case string(String)
}

/// A scalar as written: its raw text, whether it was quoted, and its resolved value.
///
/// A quoted `"3"` is the string `3`; a plain `3` is the integer 3.
public struct Scalar: Sendable, Equatable {
    /// The text exactly as the parser delivered it (quotes removed, escapes applied).
    public let raw: String
    /// True for any non-plain style (single, double quoted, literal, folded) or a `!!str` tag.
    public let quoted: Bool
    /// The value under the core schema; quoted scalars are always strings.
    public let value: ScalarValue

    /// Creates a scalar, resolving plain text under the core schema.
    public init(raw: String, quoted: Bool) {
        self.raw = raw
        self.quoted = quoted
        self.value = quoted ? .string(raw) : Scalar.resolve(plain: raw)
    }

    /// True when the raw text is an integer literal, whether or not it fits in `Int`.
    public var isIntegerLiteral: Bool {
        !quoted && Scalar.isDecimalInteger(raw)
    }

    /// Resolves plain scalar text with the YAML 1.2 core schema.
    public static func resolve(plain text: String) -> ScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if isDecimalInteger(text) {
            if let value = Int(text) { return .int(value) }
            return .float(Double(text) ?? .infinity)
        }
        if text.hasPrefix("0x"), text.count > 2, let value = Int(text.dropFirst(2), radix: 16) {
            return .int(value)
        }
        if text.hasPrefix("0o"), text.count > 2, let value = Int(text.dropFirst(2), radix: 8) {
            return .int(value)
        }
        if isFloatLiteral(text), let value = parseFloat(text) {
            return .float(value)
        }
        return .string(text)
    }

    /// `[-+]?[0-9]+`
    static func isDecimalInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func isFloatLiteral(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        let mantissa = rest.prefix { $0 != "e" && $0 != "E" }
        let exponent = rest.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.count <= 2, parts.allSatisfy(isDigits) else { return false }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty else { return false }
        if exponent.isEmpty { return true }
        var power = exponent.dropFirst()
        if power.first == "-" || power.first == "+" { power = power.dropFirst() }
        return !power.isEmpty && isDigits(power)
    }

    /// Parses a validated float literal, normalising `.5` and `5.` for `Double.init`.
    static func parseFloat(_ text: String) -> Double? {
        var sign = ""
        var body = Substring(text)
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        var normal = String(body)
        if normal.hasPrefix(".") { normal = "0" + normal }
        normal = normal.replacingOccurrences(of: ".e", with: ".0e")
            .replacingOccurrences(of: ".E", with: ".0E")
        if normal.hasSuffix(".") { normal += "0" }
        return Double(sign + normal)
    }
}

import Foundation

/// The parts of Python's `str.format` and `repr(float)` that Keras callbacks rely on:
/// ModelCheckpoint file paths such as `weights.{epoch:02d}-{val_loss:.2f}.safetensors`
/// and the numbers CSVLogger writes.
public enum PythonFormat {
    /// A value substituted into a template: Keras passes `epoch`/`batch` as ints, logs as floats.
    public enum Value: Sendable { case int(Int), double(Double) }

    /// Python's `repr(float)`: the shortest round-trip digits, in positional notation when
    /// the decimal exponent is in -4..<16 (`0.0001`, `1.0`), else `1e-05`, `1e+16`.
    public static func repr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description has the same shortest digits; re-lay them out Python's way.
        let s = Swift.abs(x).description
        var mantissa = Substring(s), exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]; exp = Int(s[s.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        let intPart = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        let fracPart = mantissa.contains(".") ? mantissa.split(separator: ".", omittingEmptySubsequences: false)[1] : ""
        var digits = Array(intPart + fracPart)
        var point = intPart.count + exp          // digits[0..<point] are before the decimal point
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sci = point - 1                      // scientific exponent
        var out = x < 0 ? "-" : ""
        if sci < -4 || sci >= 16 {
            out += String(digits[0])
            if digits.count > 1 { out += "." + String(digits[1...]) }
            out += "e" + (sci < 0 ? "-" : "+") + (Swift.abs(sci) < 10 ? "0" : "") + String(Swift.abs(sci))
        } else if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            out += String(digits) + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            out += String(digits[..<point]) + "." + String(digits[point...])
        }
        return out
    }

    /// Python's `template.format(**values)`: `{name}`, `{name:spec}` (fill, align, sign, `0`,
    /// width, precision; types d, f, e, g, %, s), `{{` and `}}`. A missing name throws
    /// `.missingKey`, a bad spec `.badSpec`.
    public static func format(_ template: String, _ values: [String: Value]) throws -> String {
        var out = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            let next = template.index(after: i)
            if c == "{" {
                if next < template.endIndex, template[next] == "{" { out.append("{"); i = template.index(after: next); continue }
                guard let close = template[next...].firstIndex(of: "}") else { throw FormatError.badTemplate("Single '{' encountered in format string") }
                let field = template[next..<close]
                let (name, spec) = field.firstIndex(of: ":").map { (String(field[..<$0]), String(field[field.index(after: $0)...])) } ?? (String(field), "")
                guard let v = values[name] else { throw FormatError.missingKey(name) }
                out += try apply(spec, to: v)
                i = template.index(after: close)
            } else if c == "}" {
                guard next < template.endIndex, template[next] == "}" else { throw FormatError.badTemplate("Single '}' encountered in format string") }
                out.append("}"); i = template.index(after: next)
            } else {
                out.append(c); i = next
            }
        }
        return out
    }

    public enum FormatError: Error, CustomStringConvertible {
        case missingKey(String), badSpec(String), badTemplate(String)
        public var description: String {
            switch self {
            case let .missingKey(k): "'\(k)'"
            case let .badSpec(m), let .badTemplate(m): m
            }
        }
    }

    /// Formats one value with a format spec `[[fill]align][sign][0][width][.precision][type]`.
    static func apply(_ spec: String, to value: Value) throws -> String {
        var s = Array(spec)
        var fill: Character = " ", align: Character?
        if s.count >= 2, "<>^=".contains(s[1]) { fill = s[0]; align = s[1]; s.removeFirst(2) }
        else if let f = s.first, "<>^=".contains(f) { align = f; s.removeFirst() }
        var sign: Character = "-"
        if let f = s.first, "+- ".contains(f) { sign = f; s.removeFirst() }
        if s.first == "0" { if align == nil { fill = "0"; align = "=" }; s.removeFirst() }
        var width = 0
        while let f = s.first, let d = f.wholeNumberValue { width = width * 10 + d; s.removeFirst() }
        var precision: Int?
        if s.first == "." {
            s.removeFirst()
            var p = 0, any = false
            while let f = s.first, let d = f.wholeNumberValue { p = p * 10 + d; s.removeFirst(); any = true }
            guard any else { throw FormatError.badSpec("Format specifier missing precision") }
            precision = p
        }
        let type: Character? = s.first
        guard s.count <= 1 else { throw FormatError.badSpec("Invalid format specifier '\(spec)'") }

        var body: String, negative = false
        switch (value, type) {
        case let (.int(n), nil), let (.int(n), "d"):
            if precision != nil { throw FormatError.badSpec("Precision not allowed in integer format specifier") }
            negative = n < 0; body = String(n.magnitude)
        case let (.double(x), nil) where precision == nil:
            negative = x.sign == .minus && !x.isNaN; body = repr(Swift.abs(x))
        case (.double, "d"):
            throw FormatError.badSpec("Unknown format code 'd' for object of type 'float'")
        case (_, nil), (_, "f"), (_, "F"), (_, "e"), (_, "E"), (_, "g"), (_, "G"), (_, "%"):
            let x: Double
            switch value { case let .int(n): x = Double(n); case let .double(d): x = d }
            negative = x.sign == .minus && !x.isNaN
            let a = Swift.abs(x)
            switch type {
            case "%": body = String(format: "%.\(precision ?? 6)f", a * 100) + "%"
            case nil, "g", "G":
                let g = String(format: "%.\(Swift.max(precision ?? 6, 1))\(type == "G" ? "G" : "g")", a)
                body = type == nil && !g.contains(where: { "e.na".contains($0) }) ? g + ".0" : g
            default: body = String(format: "%.\(precision ?? 6)\(type!)", a)
            }
        default:
            let typeName = { if case .int = value { return "int" } else { return "float" } }()
            throw FormatError.badSpec("Unknown format code '\(type!)' for object of type '\(typeName)'")
        }
        let signText = negative ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
        let len = signText.count + body.count
        guard width > len else { return signText + body }
        let pad = String(repeating: fill, count: width - len)
        switch align ?? ">" {
        case "<": return signText + body + pad
        case "^":
            let left = (width - len) / 2
            return String(repeating: fill, count: left) + signText + body + String(repeating: fill, count: width - len - left)
        case "=": return signText + pad + body
        default: return pad + signText + body
        }
    }
}

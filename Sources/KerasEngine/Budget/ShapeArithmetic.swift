/// Overflow-checked size arithmetic for shapes that come from input (specs, Keras
/// configs, file headers, flags).
///
/// The engine is compiled with `-Ounchecked`, where `*` and `+` wrap silently on
/// overflow; every element or byte count derived from user-given sizes goes through
/// these functions instead, which return nil on overflow.
public enum ShapeArithmetic {
    /// The largest single dimension (and integer layer argument) a model may have:
    /// 2^31 − 1, as int32-indexed frameworks allow. With every dimension and argument
    /// below it, the product of any two fits in an `Int`; longer products are checked.
    public static let maxDimension = Int(Int32.max)

    /// `a * b`, or nil on overflow or a negative operand.
    @inlinable public static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : p
    }

    /// `a + b`, or nil on overflow or a negative operand.
    @inlinable public static func sum(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (s, o) = a.addingReportingOverflow(b)
        return o ? nil : s
    }

    /// The element count of `shape`, or nil when a dimension is negative or the product
    /// overflows.
    @inlinable public static func count(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard let p = product(n, d) else { return nil }
            n = p
        }
        return n
    }

    /// Bytes of `shape` in Float32, or nil on overflow.
    @inlinable public static func floatBytes(_ shape: [Int]) -> Int? {
        count(shape).flatMap { product($0, MemoryLayout<Float>.stride) }
    }

    /// A byte count for messages: `3.7 GB`, `512 MB`, `12 kB`, `80 bytes`.
    public static func describe(bytes: Int) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (scale, unit) in units where Double(bytes) >= scale {
            let v = Double(bytes) / scale
            return (v >= 100 ? String(Int(v.rounded())) : String(Double(Int(v * 10)) / 10)) + " " + unit
        }
        return "\(bytes) bytes"
    }
}

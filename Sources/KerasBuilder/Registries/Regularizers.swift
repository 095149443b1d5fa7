import KerasEngine
import KerasSpec

/// Keras regularizer class names and string aliases (`l1`, `l2`, `l1l2`,
/// `orthogonal_regularizer`; `l1_l2` too, Keras's function name).
public enum RegularizerRegistry {
    public static let table = Registry<any Regularizer>(kind: "regularizer", [
        .init(["L1", "l1"], main: "l1", { o in
            let r = try o.reader()
            let v = try r.double("l1", default: 0.01); try r.finish()
            return try located(o) { try L1(l1: Float(v)) }
        }),
        .init(["L2", "l2"], main: "l2", { o in
            let r = try o.reader()
            let v = try r.double("l2", default: 0.01); try r.finish()
            return try located(o) { try L2(l2: Float(v)) }
        }),
        .init(["L1L2", "l1l2", "l1_l2"], { o in
            let r = try o.reader()
            let a = try r.double("l1", default: 0), b = try r.double("l2", default: 0); try r.finish()
            return try located(o) { try L1L2(l1: Float(a), l2: Float(b)) }
        }),
        .init(["OrthogonalRegularizer", "orthogonal_regularizer"], main: "factor", { o in
            let r = try o.reader()
            let f = try r.double("factor", default: 0.01)
            let mode = try r.oneOf("mode", ["rows", "columns"], default: "rows"); try r.finish()
            return try located(o) { try OrthogonalRegularizer(factor: Float(f), mode: mode == "rows" ? .rows : .columns) }
        }),
    ])

    /// Reads `key` of `reader` as a regularizer; nil when absent.
    static func read(_ reader: ArgReader, _ key: String) throws -> (any Regularizer)? {
        guard let o = try reader.object(key) else { return nil }
        return try table.make(o)
    }
}

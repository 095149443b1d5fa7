import KerasEngine
import KerasSpec

/// Keras regularizer names (`L1`, `L2`, `L1L2` and the aliases `l1`, `l2`, `l1_l2`).
public enum RegularizerRegistry {
    nonisolated(unsafe) public static var table = Registry<any Regularizer>(kind: "regularizer", [])

    /// Reads `key` of `reader` as a regularizer; nil when absent.
    static func read(_ reader: ArgReader, _ key: String) throws -> (any Regularizer)? {
        guard let o = try reader.object(key) else { return nil }
        return try table.make(o)
    }
}

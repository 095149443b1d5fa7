#if canImport(Glibc)
import Glibc
#endif

/// How much memory a model may ask for: its parameters, and a batch's activations.
///
/// Sizes come from files other people wrote (`units: 1e12`, an input shape of
/// `[2147483647]`, `--batch-size 2147483648`), so they are checked against this budget
/// before any memory is touched; going over it is one error naming the layer (or flag),
/// not an allocation failure. The default is half of physical memory; the environment
/// variable `KERASCTL_MEMORY_LIMIT` sets it (`8G`, `512M`, `1.5G`, a byte count, or
/// `none`).
public enum MemoryBudget {
    /// The environment variable that overrides the default.
    public static let environmentVariable = "KERASCTL_MEMORY_LIMIT"

    /// The budget in bytes.
    nonisolated(unsafe) public static var bytes: Int = {
        if let text = getenv(environmentVariable).map({ String(cString: $0) }), let v = parse(text) { return v }
        return defaultBytes
    }()

    /// Half of physical memory (4 GiB when it cannot be read).
    public static var defaultBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0, let total = ShapeArithmetic.product(pages, size) else { return 4 << 30 }
        return total / 2
    }

    /// Checks `KERASCTL_MEMORY_LIMIT`; returns a message when it is set but unreadable.
    public static func environmentProblem() -> String? {
        guard let text = getenv(environmentVariable).map({ String(cString: $0) }) else { return nil }
        if parse(text) != nil { return nil }
        return "\(environmentVariable)='\(text)': expected a size such as 8G, 512M, 1.5G, a byte count, or none"
    }

    /// `8G` → 8 GiB, `512M`, `64k`, `1.5G`, `123456` (bytes), `none` → `Int.max`.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: " \t").lowercased()
        if t == "none" || t == "unlimited" { return Int.max }
        var digits = t
        var scale = 1.0
        if let last = t.last, "kmgt".contains(last) {
            digits = String(t.dropLast())
            scale = ["k": 1024.0, "m": 1048576.0, "g": 1073741824.0, "t": 1099511627776.0][String(last)]!
        } else if t.hasSuffix("b") {
            digits = String(t.dropLast())
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(digits), v.isFinite, v > 0 else { return nil }
        let b = v * scale
        guard b >= 1, b < 9.2e18 else { return nil }
        return Int(b)
    }

    /// "the memory limit of 12 GB (half of physical memory; set KERASCTL_MEMORY_LIMIT to change it)".
    public static var describeLimit: String {
        let set = getenv(environmentVariable) != nil
        return "the memory limit of \(ShapeArithmetic.describe(bytes: bytes)) ("
            + (set ? "\(environmentVariable)" : "half of physical memory; set \(environmentVariable) to change it") + ")"
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension MemoryBudget {
    /// Why `model` cannot run batches of `batchSize` within the budget, or nil when it
    /// can: its parameters (four times over when training: values, gradients and two
    /// optimizer slots) plus a batch's activations (three times over when training, for
    /// the backward pass), all overflow-checked.
    public static func batchProblem(model: Model, batchSize: Int, training: Bool) -> String? {
        guard batchSize > 0 else { return "the batch size must be positive, got \(batchSize)" }
        let params = model.parameterCount, perExample = max(model.activationElementsPerExample, 1)
        let bytes = ShapeArithmetic.product(batchSize, perExample)
            .flatMap { ShapeArithmetic.product($0, training ? 3 : 1) }
            .flatMap { act in ShapeArithmetic.product(params, training ? 4 : 1).flatMap { ShapeArithmetic.sum(act, $0) } }
            .flatMap { ShapeArithmetic.product($0, MemoryLayout<Float>.stride) }
        if let bytes, bytes <= self.bytes { return nil }
        let size = bytes.map { ShapeArithmetic.describe(bytes: $0) } ?? "more than 9 EB"
        return "a batch of \(batchSize) examples needs \(size) (\(perExample) activation values per example, "
            + "\(params) parameters\(training ? ", for training" : "")), over \(describeLimit)"
    }
}

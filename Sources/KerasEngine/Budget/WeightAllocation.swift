#if canImport(Glibc)
import Glibc
#endif

/// Guards the creation of weights while a model is built.
///
/// Every weight is made by ``Initializer/make(_:rng:)``, which first asks
/// ``admit(_:)``: the shape's byte size is computed with overflow checks and charged to
/// ``MemoryBudget``; an overflow or a model over budget is recorded as ``problem`` and
/// the layer gets an empty stand-in instead of memory. The model's build then throws
/// that problem as a `ShapeError` naming the layer (see ``Model/checkedBuild``), before
/// anything else is allocated.
///
/// ``withoutValues(_:)`` builds weights as stand-ins only — read-only zero pages that
/// reserve address space and touch no memory — for commands that need shapes and
/// parameter counts but no values (`validate`, `summary`).
///
/// Builds run on one thread at a time (the state is process-wide).
public enum WeightAllocation {
    nonisolated(unsafe) private static var valuesOff = 0
    nonisolated(unsafe) static var depth = 0
    nonisolated(unsafe) static var chargedBytes = 0
    /// Per-example activation elements of the build in progress.
    nonisolated(unsafe) static var activationElements = 0
    /// The first size problem of the build in progress.
    nonisolated(unsafe) public internal(set) static var problem: String?

    /// True inside ``withoutValues(_:)``.
    public static var isDeferred: Bool { valuesOff > 0 }
    /// True when weights are not being given values (stand-ins or an error pending).
    public static var skipsValues: Bool { valuesOff > 0 || problem != nil }

    /// Runs `body` (a model build) with weights as stand-ins that hold no memory.
    public static func withoutValues<R>(_ body: () throws -> R) rethrows -> R {
        valuesOff += 1
        defer { valuesOff -= 1 }
        return try body()
    }

    /// Starts (or nests into) a build's accounting.
    static func begin() {
        if depth == 0 { chargedBytes = 0; activationElements = 0; problem = nil }
        depth += 1
    }

    static func end() {
        depth -= 1
        if depth == 0 { problem = nil }
    }

    /// Takes the pending problem, if any.
    static func takeProblem() -> String? {
        defer { problem = nil }
        return problem
    }

    /// Decides how the weight of `shape` is made: nil means "allocate it for real";
    /// otherwise a stand-in is returned (deferred, or refused with ``problem`` set).
    static func admit(_ shape: [Int]) -> Tensor? {
        guard let bytes = ShapeArithmetic.floatBytes(shape), shape.allSatisfy({ $0 <= ShapeArithmetic.maxDimension }) else {
            if problem == nil { problem = "a weight of shape \(shape) is too large (its size overflows)" }
            return Tensor(standInShape: [0])
        }
        if depth > 0 {
            let total = ShapeArithmetic.sum(chargedBytes, bytes) ?? Int.max
            if total > MemoryBudget.bytes {
                if problem == nil {
                    problem = "its weights of shape \(shape) (\(ShapeArithmetic.describe(bytes: bytes))) bring the model's parameters to "
                        + "\(ShapeArithmetic.describe(bytes: total)), over \(MemoryBudget.describeLimit)"
                }
                return Tensor(standInShape: [0])
            }
            chargedBytes = total
        }
        if problem != nil { return Tensor(standInShape: [0]) }
        return valuesOff > 0 ? Tensor(standInShape: shape) : nil
    }
}

extension Tensor {
    /// True for a stand-in made under ``WeightAllocation/withoutValues(_:)``: its values
    /// are not there (read-only zero pages) and it must be replaced before use.
    public var isStandIn: Bool { storage.reserved }

    /// A tensor of `shape` whose storage is reserved but never touched: read-only zero
    /// pages (no memory is committed). For shapes and counts only.
    init(standInShape shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(reservedCount: ShapeArithmetic.count(shape) ?? 0)
    }
}

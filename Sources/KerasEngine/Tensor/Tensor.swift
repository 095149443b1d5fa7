/// An n-dimensional Float32 array: a shape and contiguous row-major storage with
/// copy-on-write semantics. A tensor produced while a `Tape` is recording carries a
/// reference to its node on that tape, so ops applied to it are differentiated.
public struct Tensor: @unchecked Sendable {
    public internal(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// Set when this value is a node on a recording tape.
    public internal(set) var tracking: Tracking?

    /// A zero-filled (or `repeating`-filled) tensor.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *))
        storage.pointer.initialize(repeating: value, count: storage.count)
    }

    /// A tensor holding `data` (row-major), which must have `shape`'s element count.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        storage = TensorStorage(count: data.count)
        data.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: data.count) }
    }

    /// A scalar (rank 0) tensor.
    public init(_ scalar: Float) { self.init(shape: [], data: [scalar]) }

    /// An uninitialised tensor; the caller writes every element before reading.
    public init(uninitializedShape shape: [Int]) {
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *))
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var isTracked: Bool { tracking != nil }

    /// The same values, detached from any tape.
    public var detached: Tensor { var t = self; t.tracking = nil; return t }

    /// All values, row-major.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The value of a one-element tensor.
    public var scalar: Float { precondition(count == 1, "not a scalar: \(shape)"); return storage.pointer[0] }

    /// Read-only access to the values.
    @inlinable
    public func withData<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Read-only pointer, valid while this tensor (or a copy of it) is alive.
    @inlinable public var pointer: UnsafePointer<Float> { UnsafePointer(storage.pointer) }

    /// Write access; copies the storage first if another tensor shares it.
    public mutating func withMutableData<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        storage.version &+= 1
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Pointer for writing into a freshly created tensor that nothing else shares yet.
    @inlinable public var freshPointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// The same storage seen with another shape of equal element count (untracked).
    public func viewed(as newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot view \(shape) as \(newShape)")
        var t = self
        t.shape = newShape
        t.tracking = nil
        return t
    }

    public subscript(flat i: Int) -> Float {
        get { storage.pointer[i] }
        set { withMutableData { $0[i] = newValue } }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let vals = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(vals)\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor {
    /// The number of examples (first dimension) of a batch.
    public var batchSize: Int { shape.first ?? 1 }
    /// Elements per example.
    public var exampleSize: Int { shape.isEmpty ? 1 : count / max(shape[0], 1) }

    /// True when both tensors have the same shape and every value differs by at most `tolerance`.
    public func isClose(to other: Tensor, tolerance: Float = 1e-5) -> Bool {
        guard shape == other.shape else { return false }
        for i in 0..<count where abs(storage.pointer[i] - other.storage.pointer[i]) > tolerance { return false }
        return true
    }
}

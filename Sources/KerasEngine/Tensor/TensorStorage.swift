#if canImport(Glibc)
import Glibc
#endif

/// A contiguous, 64-byte aligned Float32 buffer. Tensors share one storage until a
/// writer asks for unique access (copy-on-write, see `Tensor.withMutableData`).
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Whether the buffer came from `BufferPool` (large) rather than malloc.
    private let pooled: Bool
    /// Whether the buffer is a read-only reservation (``init(reservedCount:)``).
    public private(set) var reserved = false
    /// Counts in-place writes (``Tensor/withMutableData(_:)``), so a cache derived from the
    /// values (a kernel reordered for oneDNN) knows when it is stale.
    public internal(set) var version = 0

    /// Allocates `count` floats, uninitialised.
    public init(count: Int) {
        precondition(count >= 0, "negative storage size")
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw: UnsafeMutableRawPointer
        if bytes >= BufferPool.minimumBytes, let p = BufferPool.take(bytes) {
            raw = p
            pooled = true
        } else {
            raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pooled = false
        }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// `count` floats of read-only zero pages that commit no memory: a stand-in weight
    /// whose values are never needed (see `WeightAllocation`). Writing to it faults.
    init(reservedCount: Int) {
        let bytes = max(reservedCount, 1) * MemoryLayout<Float>.stride
        let p = mmap(nil, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        if let p, p != MAP_FAILED {
            count = reservedCount
            pointer = p.bindMemory(to: Float.self, capacity: max(reservedCount, 1))
            pooled = false
            reserved = true
        } else {
            count = 0
            pointer = UnsafeMutableRawPointer.allocate(byteCount: 4, alignment: 64).bindMemory(to: Float.self, capacity: 1)
            pooled = false
        }
    }

    deinit {
        if reserved {
            munmap(UnsafeMutableRawPointer(pointer), max(count, 1) * MemoryLayout<Float>.stride)
        } else if pooled {
            BufferPool.give(UnsafeMutableRawPointer(pointer), max(count, 1) * MemoryLayout<Float>.stride)
        } else {
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }

    func copy() -> TensorStorage {
        let s = TensorStorage(count: count)
        s.pointer.update(from: pointer, count: count)
        return s
    }
}

/// A contiguous, 64-byte aligned Float32 buffer. Tensors share one storage until a
/// writer asks for unique access (copy-on-write, see `Tensor.withMutableData`).
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Whether the buffer came from `BufferPool` (large) rather than malloc.
    private let pooled: Bool

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

    deinit {
        if pooled {
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

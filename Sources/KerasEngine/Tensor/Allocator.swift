#if canImport(Glibc)
import Glibc
#endif

/// glibc's `mallopt` (its header, malloc.h, is not part of the Glibc module).
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32

/// Keeps glibc from returning batch-sized buffers to the kernel after every step.
///
/// Tensors of a training step are freed and allocated again on the next one. By default
/// glibc serves blocks above 128 KiB with mmap and unmaps them on free, so every batch
/// faults its pages in afresh (about 20% of a CNN step). Raising the mmap threshold to
/// 64 MiB and disabling trimming keeps the pages mapped for reuse. Tensor buffers of
/// `BufferPool.minimumBytes` and more bypass malloc altogether (see `BufferPool`); this
/// covers the rest (scratch buffers, small tensors). Call once at start-up.
public func keepBatchBuffersMapped() {
    _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 64 << 20)
    _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
}

/// Recycles large tensor buffers (≥ 128 KiB) by size, outside malloc.
///
/// A training step frees and allocates the same buffer sizes every batch. Through glibc,
/// with worker threads freeing and allocating alongside the main thread, the main heap's
/// reuse was erratic: the LSTM benchmark's peak memory varied from 0.15 to 5 GB between
/// identical runs, and up to 400,000 fresh pages an epoch were faulted in (a fifth of
/// its time in the kernel). Here every large buffer
/// is its own anonymous mapping, kept on a per-size free list when released (up to
/// `limitBytes` held, then unmapped), so a step's buffers are reused exactly, already
/// mapped, on whichever thread frees them.
enum BufferPool {
    /// Buffers from this size up go through the pool; smaller ones through malloc.
    static let minimumBytes = 128 << 10
    /// Most bytes kept on the free lists; beyond it released buffers are unmapped.
    nonisolated(unsafe) static var limitBytes = 1 << 30

    nonisolated(unsafe) private static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var heldBytes = 0
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    /// Bytes a request of `bytes` occupies: whole pages.
    static func rounded(_ bytes: Int) -> Int {
        let page = 4096
        return (bytes + page - 1) / page * page
    }

    /// A page-aligned buffer of `rounded(bytes)`, reused when one of that size is free;
    /// nil when the kernel refuses a new mapping (the caller falls back to malloc).
    static func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let size = rounded(bytes)
        pthread_mutex_lock(lock)
        if let p = free[size]?.popLast() {
            heldBytes -= size
            pthread_mutex_unlock(lock)
            return p
        }
        pthread_mutex_unlock(lock)
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        return p
    }

    /// Returns a buffer from `take(bytes)`.
    static func give(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        let size = rounded(bytes)
        pthread_mutex_lock(lock)
        if heldBytes + size <= limitBytes {
            free[size, default: []].append(p)
            heldBytes += size
            pthread_mutex_unlock(lock)
            return
        }
        pthread_mutex_unlock(lock)
        munmap(p, size)
    }

    /// Unmaps every free buffer (tests; a long-lived library user between models).
    static func drain() {
        pthread_mutex_lock(lock)
        let all = free
        free = [:]
        heldBytes = 0
        pthread_mutex_unlock(lock)
        for (size, ps) in all { for p in ps { munmap(p, size) } }
    }

    /// Bytes currently held on the free lists.
    static var held: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return heldBytes
    }
}

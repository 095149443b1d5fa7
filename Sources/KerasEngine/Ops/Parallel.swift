import CBLAS
import KerasDNNL
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Batch-parallel execution for the sliding-window ops (convolution, pooling).
///
/// A batch is split into contiguous chunks of examples, each processed by one thread with
/// a single-threaded GEMM: every pass (im2col, GEMM, bias + ReLU, col2im, pooling) then
/// runs on all cores, and no BLAS worker threads spin waiting between small GEMMs.
public enum ParallelBatch {
    /// Threads used: `KERASCTL_THREADS`, else `OPENBLAS_NUM_THREADS`, else the online CPUs
    /// (at most 16). Set it to 1 for strictly serial ops.
    nonisolated(unsafe) public static var threads: Int = defaultThreads()

    static func defaultThreads() -> Int {
        for key in ["KERASCTL_THREADS", "OPENBLAS_NUM_THREADS"] {
            if let v = getenv(key).flatMap({ Int(String(cString: $0)) }), v > 0 { return Swift.min(v, 64) }
        }
        return Swift.max(1, Swift.min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 16))
    }

    /// How many chunks a batch of `n` examples is cut into: two per thread, so a thread
    /// slowed by other processes on a shared machine leaves its second chunk to the others.
    static func chunks(_ n: Int) -> Int {
        threads <= 1 ? 1 : Swift.max(1, Swift.min(n, 2 * threads))
    }

    /// The examples of chunk `c` of `count` over a batch of `n`.
    static func range(_ c: Int, of count: Int, _ n: Int) -> Range<Int> {
        (c * n / count)..<((c + 1) * n / count)
    }

    /// Runs `body(chunk, examples)` for every chunk of a batch of `n`, in parallel when
    /// there is more than one. OpenBLAS is held to one thread meanwhile (each GEMM already
    /// has a core) and restored afterwards.
    static func run(_ n: Int, chunks count: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 1 else { body(0, 0..<n); return }
        let blasThreads = openblas_get_num_threads()
        if blasThreads != 1 { openblas_set_num_threads(1) }
        defer { if blasThreads != 1 { openblas_set_num_threads(blasThreads) } }
        if let pool = WorkerPool.shared, pool.run(count, { c in body(c, range(c, of: count, n)) }) { return }
        // Chunks touch disjoint memory (their own examples, rows and partial sums), which
        // is what makes sharing the non-Sendable body between threads sound.
        withoutActuallyEscaping(body) { body in
            let shared = unsafeBitCast(body, to: (@Sendable (Int, Range<Int>) -> Void).self)
            DispatchQueue.concurrentPerform(iterations: count) { c in
                // oneDNN's OpenMP setting is per thread (the caller's runs one chunk too): one
                // thread each meanwhile, as OpenBLAS.
                let omp = kd_threads()
                kd_set_threads(1)
                shared(c, range(c, of: count, n))
                kd_set_threads(omp)
            }
        }
    }
}

import CBLAS
import KerasDNNL

/// C = op(A)·op(B) (+ beta·C) for row-major matrices with explicit leading dimensions,
/// so blocks of a wider matrix (a group's channels, a gate's columns) are used in place.
/// oneDNN's GEMM (``OneDNN``) when it is on: 1.6× OpenBLAS's on this machine kind at the
/// seed MLP's shapes (165 against 98–112 GFLOP/s on two cores, docs/PERFORMANCE.md);
/// OpenBLAS otherwise.
@inline(__always)
func gemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
          _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
          transA: Bool = false, transB: Bool = false, beta: Float = 0) {
    guard m > 0, n > 0 else { return }
    if OneDNN.enabled, k > 0,
       kd_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, lda, b, ldb, beta, c, ldc) == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// C = op(A)·op(B) for dense row-major matrices through OpenBLAS, written into `c`
/// (`beta` = 1 accumulates).
@inline(__always)
public func sgemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                  m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, beta: Float = 0) {
    gemm(a, lda: transA ? m : k, b, ldb: transB ? k : n, c, ldc: n, m: m, n: n, k: k, transA: transA, transB: transB, beta: beta)
}

/// Matrix product of x (..., k) and w (k, n): the last axis of `x` is contracted, so a
/// batch of sequences (b, t, k) works as a (b·t, k) matrix.
///
/// Threads: a product of at least 2²² multiply-adds is split by output columns over
/// `ParallelBatch.threads`, each part a single-threaded GEMM on its own block of the
/// large operand (y[:, j] = x·w[:, j]; dx[:, i] = dy·w[i, :]ᵀ; dw[:, j] = xᵀ·dy[:, j]),
/// so OpenBLAS's worker threads never wake to spin between steps. Smaller products run
/// on one thread: waking BLAS threads costs more than they save.
public func matmul(_ x: Tensor, _ w: Tensor) -> Tensor {
    precondition(w.rank == 2 && x.rank >= 1 && x.shape.last == w.shape[0],
                 "matmul: \(x.shape) · \(w.shape)")
    let k = w.shape[0], n = w.shape[1], m = x.count / Swift.max(k, 1)
    var outShape = x.shape; outShape[outShape.count - 1] = n
    var out = Tensor(uninitializedShape: outShape)
    let po = out.freshPointer, px = x.pointer, pw = w.pointer
    let big = m * n * k >= 1 << 22
    columnParallel(n, big) { j in
        gemm(px, lda: k, pw + j.lowerBound, ldb: n, po + j.lowerBound, ldc: n, m: m, n: j.count, k: k)
    }
    let (tx, tw) = (x.isTracked, w.isTracked)
    return Tape.record(out, inputs: [x, w]) { g in
        var gx: Tensor?, gw: Tensor?
        let pg = g.pointer
        if tx {
            gx = Tensor(uninitializedShape: x.shape)
            let pd = gx!.freshPointer
            columnParallel(k, big) { i in
                gemm(pg, lda: n, pw + i.lowerBound * n, ldb: n, pd + i.lowerBound, ldc: k, m: m, n: i.count, k: n, transB: true)
            }
        }
        if tw {
            gw = Tensor(uninitializedShape: w.shape)
            let pd = gw!.freshPointer
            columnParallel(n, big) { j in
                gemm(px, lda: k, pg + j.lowerBound, ldb: n, pd + j.lowerBound, ldc: n, m: k, n: j.count, k: m, transA: true)
            }
        }
        withExtendedLifetime((x, w, g)) {}
        return [gx, gw]
    }
}

/// Runs `body` over column ranges of 0..<columns: for a big product one range per
/// thread (at least 16 columns each), each GEMM on one OpenBLAS thread; otherwise one
/// range, on one OpenBLAS thread.
@inline(__always)
func columnParallel(_ columns: Int, _ big: Bool, _ body: (Range<Int>) -> Void) {
    let parts = big ? Swift.max(1, Swift.min(ParallelBatch.threads, columns / 16)) : 1
    if parts > 1 {
        ParallelBatch.run(columns, chunks: parts) { _, r in body(r) }
    } else {
        onOneBLASThread { body(0..<columns) }
    }
}

/// Runs `body` with OpenBLAS and oneDNN held to one thread.
@inline(__always)
func onOneBLASThread(_ body: () -> Void) {
    let threads = openblas_get_num_threads(), ompThreads = kd_threads()
    if threads == 1 && ompThreads == 1 { body(); return }
    openblas_set_num_threads(1)
    kd_set_threads(1)
    body()
    openblas_set_num_threads(threads)
    kd_set_threads(ompThreads)
}

/// x + bias along the last axis (Keras's bias_add, channels last).
public func biasAdd(_ x: Tensor, _ bias: Tensor) -> Tensor {
    let n = bias.count
    precondition(x.shape.last == n, "biasAdd: \(x.shape) + \(bias.shape)")
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, pb = bias.pointer, po = out.freshPointer
    let rows = x.count / Swift.max(n, 1)
    forEachRows(rows, width: n) { r in let base = r * n; for j in 0..<n { po[base + j] = px[base + j] + pb[j] } }
    let tb = bias.isTracked
    return Tape.record(out, inputs: [x, bias]) { g in
        var gb: Tensor?
        if tb {
            gb = Tensor(shape: bias.shape)
            columnSums(g.pointer, rows: rows, width: n, into: gb!.freshPointer)
            withExtendedLifetime(g) {}
        }
        return [g, gb]
    }
}

/// Runs `body(r)` for every row of a rows × width matrix, the rows split over the threads
/// when the matrix is large enough (`ParallelBatch.elementwiseMinimum` values).
@inline(__always)
func forEachRows(_ rows: Int, width: Int, _ body: (Int) -> Void) {
    ParallelBatch.elementwise(lines: rows, length: width) { range in for r in range { body(r) } }
}

/// sums[j] += Σ_r m[r, j] over a rows × width matrix (a bias gradient): the columns split
/// over the threads, each column summed in row order on one thread, so the result does not
/// depend on the thread count.
@inline(__always)
func columnSums(_ m: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
    ParallelBatch.elementwise(lines: width, length: rows) { cols in
        for r in 0..<rows { let d = m + r * width; for j in cols { sums[j] += d[j] } }
    }
}

/// Sets the number of threads OpenBLAS uses.
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

/// relu(x + bias) along the last axis in one pass (Dense and convolutions with Keras's
/// most common activation). Backward: the gradient is masked where the output is zero,
/// and the bias gradient is the column sum of the masked gradient, also in one pass.
public func biasAddRelu(_ x: Tensor, _ bias: Tensor) -> Tensor {
    let n = bias.count
    precondition(x.shape.last == n, "biasAddRelu: \(x.shape) + \(bias.shape)")
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, pb = bias.pointer, po = out.freshPointer
    let rows = x.count / Swift.max(n, 1)
    forEachRows(rows, width: n) { r in
        let base = r * n
        for j in 0..<n { po[base + j] = Swift.max(px[base + j] + pb[j], 0) }
    }
    let y = out, (tx, tb) = (x.isTracked, bias.isTracked)
    return Tape.record(out, inputs: [x, bias]) { g in
        let gx = maskedWherePositive(g, y)
        var gb: Tensor? = tb ? Tensor(shape: bias.shape) : nil
        if let pdb = gb?.freshPointer { columnSums(gx.pointer, rows: rows, width: n, into: pdb) }
        withExtendedLifetime(gx) {}
        return [tx ? gx : nil, gb]
    }
}

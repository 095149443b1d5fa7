import CBLAS
import Synchronization


/// A raw float buffer owned by a backward closure (the im2col matrix, reused for the
/// column gradient). Freed buffers go back to a small pool, so the next batch reuses
/// already-mapped pages instead of faulting in fresh ones.
final class ScratchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        let reused: UInt? = ScratchBuffer.pool.withLock { free in
            guard let i = free.firstIndex(where: { $0.count == count }) else { return nil }
            return free.remove(at: i).address
        }
        pointer = reused.flatMap { UnsafeMutablePointer(bitPattern: $0) } ?? .allocate(capacity: Swift.max(count, 1))
    }
    deinit {
        let (address, n) = (UInt(bitPattern: pointer), count)
        // Keep at most 8 buffers and 64 M floats (256 MB); evict the oldest beyond that.
        let evicted: [UInt] = ScratchBuffer.pool.withLock { free in
            free.append((address, n))
            var out: [UInt] = []
            while free.count > 8 || free.reduce(0, { $0 + $1.count }) > 1 << 26 { out.append(free.removeFirst().address) }
            return out
        }
        for a in evicted { UnsafeMutablePointer<Float>(bitPattern: a)?.deallocate() }
    }
    /// Freed buffers (address, element count), oldest first.
    private static let pool = Mutex<[(address: UInt, count: Int)]>([])
}

/// Adds `bias` (when given) to each of `rows` rows of `out` (width n) and, with `relu`,
/// clamps at 0 — one pass after the GEMM.
@inline(__always)
func biasReLU(_ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>?, relu: Bool) {
    switch (bias, relu) {
    case let (b?, true): for r in 0..<rows { let row = out + r * n; for j in 0..<n { row[j] = Swift.max(row[j] + b[j], 0) } }
    case let (b?, false): for r in 0..<rows { let row = out + r * n; for j in 0..<n { row[j] += b[j] } }
    case (nil, true): for i in 0..<(rows * n) { out[i] = Swift.max(out[i], 0) }
    case (nil, false): break
    }
}

/// Column sums of a (rows, n) matrix into a new (n) tensor: the bias gradient.
func columnSums(_ g: UnsafePointer<Float>, rows: Int, n: Int) -> Tensor {
    var out = Tensor(shape: [n])
    let po = out.freshPointer
    for r in 0..<rows { let row = g + r * n; for j in 0..<n { po[j] += row[j] } }
    return out
}

/// The output shape of a sliding-window op: `x`'s batch, the geometry's spatial size
/// (one axis for rank-3 inputs, two for rank 4) and `channels`.
func windowOutputShape(_ x: Tensor, _ g: ConvGeometry, channels: Int) -> [Int] {
    x.rank == 3 ? [x.shape[0], g.outW, channels] : [x.shape[0], g.outH, g.outW, channels]
}

/// Convolution (cross-correlation, as Keras) of channels-last `x` (batch, h, w, in) or
/// (batch, w, in) with `kernel` (kh, kw, in/groups, out), plus an optional `bias`:
///
///     y[b, oy, ox, o] = bias[o] + Σ_{ky,kx,c} x[b, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw, g·cg + c] · k[ky, kx, c, o]
///
/// computed as im2col(x) (b·oh·ow, kh·kw·cg) × kernel (kh·kw·cg, out), one GEMM per group,
/// batch chunks in parallel (`ParallelBatch`). Backward: dK = colᵀ·dy (a partial sum per
/// chunk), dx = col2im(dy·Kᵀ), dbias = Σ dy. `fuseReLU` applies max(·, 0) with the bias
/// in one pass (and masks dy in backward).
public func conv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvGeometry,
                   fuseReLU: Bool = false) -> Tensor {
    let n = x.shape[0]
    precondition(x.count == n * g.inH * g.inW * g.inC && kernel.count == g.groupK * g.outC,
                 "conv2d: input \(x.shape), kernel \(kernel.shape) do not fit \(g)")
    let perExample = g.outH * g.outW, inSize = g.inH * g.inW * g.inC
    let P = n * perExample, K = g.colK, gk = g.groupK, oc = g.outC, goc = g.groupOutC
    var out = Tensor(uninitializedShape: windowOutputShape(x, g, channels: oc))
    let po = out.freshPointer
    let pointwise = g.isPointwise
    let scratch: ScratchBuffer? = pointwise ? nil : ScratchBuffer(count: P * K)
    let col = UnsafePointer(scratch?.pointer) ?? x.pointer
    let px = x.pointer, pk = kernel.pointer, pb = bias?.pointer
    let chunks = ParallelBatch.chunks(n)
    ParallelBatch.run(n, chunks: chunks) { _, b in
        let r0 = b.lowerBound * perExample, rows = b.count * perExample
        if let scratch { g.im2col(px + b.lowerBound * inSize, scratch.pointer + r0 * K, batch: b.count) }
        for grp in 0..<g.groups {
            gemm(col + r0 * K + grp * gk, lda: K, pk + grp * goc, ldb: oc, po + r0 * oc + grp * goc, ldc: oc,
                 m: rows, n: goc, k: gk)
        }
        biasReLU(po + r0 * oc, rows: rows, n: oc, bias: pb, relu: fuseReLU)
    }
    let y = out
    let (tx, tk, tb) = (x.isTracked, kernel.isTracked, bias?.isTracked ?? false)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    return Tape.record(out, inputs: inputs) { dyIn in
        // dy masked by the fused ReLU, and per-chunk partial sums for dbias and dK.
        let masked: ScratchBuffer? = fuseReLU ? ScratchBuffer(count: P * oc) : nil
        let pg = UnsafePointer(masked?.pointer) ?? dyIn.pointer
        let biasSums: ScratchBuffer? = tb ? ScratchBuffer(count: chunks * oc) : nil
        let kCount = gk * oc
        let kernelParts: ScratchBuffer? = tk && chunks > 1 ? ScratchBuffer(count: (chunks - 1) * kCount) : nil
        var gk2 = tk ? Tensor(uninitializedShape: kernel.shape) : nil
        var gx = tx ? Tensor(uninitializedShape: x.shape) : nil
        let pgk = gk2?.freshPointer, pgx = gx?.freshPointer
        let pdy = dyIn.pointer, py = y.pointer
        ParallelBatch.run(n, chunks: chunks) { c, b in
            let r0 = b.lowerBound * perExample, rows = b.count * perExample
            if fuseReLU || tb {
                maskAndSum(pdy + r0 * oc, relu: fuseReLU ? py + r0 * oc : nil, into: masked.map { $0.pointer + r0 * oc },
                           sums: biasSums.map { $0.pointer + c * oc }, rows: rows, n: oc)
            }
            if let pgk {
                let dst = c == 0 ? pgk : kernelParts!.pointer + (c - 1) * kCount
                for grp in 0..<g.groups {
                    gemm(col + r0 * K + grp * gk, lda: K, pg + r0 * oc + grp * goc, ldb: oc, dst + grp * goc, ldc: oc,
                         m: gk, n: goc, k: rows, transA: true)
                }
            }
            if let pgx {
                // The chunk's im2col rows are no longer needed: they take the column gradient.
                let gxb = pgx + b.lowerBound * inSize
                let dcol = pointwise ? gxb : scratch!.pointer + r0 * K
                for grp in 0..<g.groups {
                    gemm(pg + r0 * oc + grp * goc, lda: oc, pk + grp * goc, ldb: oc, dcol + grp * gk, ldc: K,
                         m: rows, n: gk, k: goc, transB: true)
                }
                if !pointwise {
                    gxb.update(repeating: 0, count: b.count * inSize)
                    g.col2im(dcol, gxb, batch: b.count)
                }
            }
        }
        withExtendedLifetime((x, kernel, scratch)) {}
        if let pgk, let parts = kernelParts {
            for c in 0..<(chunks - 1) { let src = parts.pointer + c * kCount; for i in 0..<kCount { pgk[i] += src[i] } }
        }
        var gb: Tensor?
        if let sums = biasSums {
            var t = Tensor(uninitializedShape: [oc])
            let pt = t.freshPointer
            pt.update(from: sums.pointer, count: oc)
            for c in 1..<chunks { let src = sums.pointer + c * oc; for j in 0..<oc { pt[j] += src[j] } }
            gb = t
        }
        return [gx, gk2, gb]
    }
}

/// One pass over dy (rows, n): masks it where the ReLU output was 0 (when `relu` is given,
/// writing `into`) and adds its column sums to `sums` (when given, overwritten).
@inline(__always)
func maskAndSum(_ dy: UnsafePointer<Float>, relu y: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>?,
                sums: UnsafeMutablePointer<Float>?, rows: Int, n: Int) {
    sums?.update(repeating: 0, count: n)
    for r in 0..<rows {
        let gi = dy + r * n
        if let y, let out {
            let yr = y + r * n, gm = out + r * n
            if let sums {
                for j in 0..<n { let m = yr[j] > 0 ? gi[j] : 0; gm[j] = m; sums[j] += m }
            } else {
                for j in 0..<n { gm[j] = yr[j] > 0 ? gi[j] : 0 }
            }
        } else if let sums {
            for j in 0..<n { sums[j] += gi[j] }
        }
    }
}

/// Transposed convolution (Keras Conv1DTranspose/Conv2DTranspose): the input-gradient of
/// `conv2d`. `g` describes the forward convolution from the OUTPUT (height inH, width
/// inW, inC = filters) to `x` (outH, outW, outC = x's channels); `kernel` has Keras's
/// transpose layout (kh, kw, filters, in_channels):
///
///     y = col2im(x · kernelᵀ) + bias
///
/// Backward: dx = im2col(dy) · kernel, dK = im2col(dy)ᵀ · x, dbias = Σ dy.
public func convTranspose2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvGeometry) -> Tensor {
    let n = x.shape[0]
    precondition(g.groups == 1 && x.count == n * g.outH * g.outW * g.outC && kernel.count == g.colK * g.outC,
                 "convTranspose2d: input \(x.shape), kernel \(kernel.shape) do not fit \(g)")
    let P = n * g.outH * g.outW, K = g.colK, oc = g.outC, fc = g.inC
    let outShape = x.rank == 3 ? [n, g.inW, fc] : [n, g.inH, g.inW, fc]
    let scratch = ScratchBuffer(count: P * K)
    sgemm(x.pointer, kernel.pointer, scratch.pointer, m: P, n: K, k: oc, transB: true)
    var out = Tensor(shape: outShape)
    let po = out.freshPointer
    g.col2im(scratch.pointer, po, batch: n)
    if let bias {
        let pb = bias.pointer
        for r in 0..<(out.count / fc) { let row = po + r * fc; for j in 0..<fc { row[j] += pb[j] } }
    }
    let (tx, tk, tb) = (x.isTracked, kernel.isTracked, bias?.isTracked ?? false)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    return Tape.record(out, inputs: inputs) { dy in
        var gx: Tensor?, gk: Tensor?, gb: Tensor?
        if tx || tk { g.im2col(dy.pointer, scratch.pointer, batch: n) }
        if tx {
            gx = Tensor(uninitializedShape: x.shape)
            sgemm(scratch.pointer, kernel.pointer, gx!.freshPointer, m: P, n: oc, k: K)
        }
        if tk {
            gk = Tensor(uninitializedShape: kernel.shape)
            sgemm(scratch.pointer, x.pointer, gk!.freshPointer, m: K, n: oc, k: P, transA: true)
        }
        if tb { gb = columnSums(dy.pointer, rows: dy.count / fc, n: fc) }
        return [gx, gk, gb]
    }
}

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

/// Fills each of `rows` rows of `out` (width n) with `bias`.
@inline(__always)
func fillRows(_ out: UnsafeMutablePointer<Float>, rows: Int, _ bias: UnsafePointer<Float>, n: Int) {
    for r in 0..<rows { let row = out + r * n; for j in 0..<n { row[j] = bias[j] } }
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
/// computed as one GEMM per group over the whole batch: im2col(x) (b·oh·ow, kh·kw·cg) ×
/// kernel (kh·kw·cg, out). Backward: dK = colᵀ·dy, dx = col2im(dy·Kᵀ), dbias = Σ dy.
/// `fuseReLU` applies max(·, 0) in place (and masks dy in backward), saving a pass.
public func conv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvGeometry,
                   fuseReLU: Bool = false) -> Tensor {
    let n = x.shape[0]
    precondition(x.count == n * g.inH * g.inW * g.inC && kernel.count == g.groupK * g.outC,
                 "conv2d: input \(x.shape), kernel \(kernel.shape) do not fit \(g)")
    let P = n * g.outH * g.outW, K = g.colK, gk = g.groupK, oc = g.outC, goc = g.groupOutC
    var out = Tensor(uninitializedShape: windowOutputShape(x, g, channels: oc))
    let po = out.freshPointer
    let pointwise = g.isPointwise
    let scratch: ScratchBuffer? = pointwise ? nil : ScratchBuffer(count: P * K)
    let col = UnsafePointer(scratch?.pointer) ?? x.pointer
    if let scratch { g.im2col(x.pointer, scratch.pointer, batch: n) }
    if let bias { fillRows(po, rows: P, bias.pointer, n: oc) }
    let beta: Float = bias == nil ? 0 : 1
    for grp in 0..<g.groups {
        gemm(col + grp * gk, lda: K, kernel.pointer + grp * goc, ldb: oc, po + grp * goc, ldc: oc,
             m: P, n: goc, k: gk, beta: beta)
    }
    if fuseReLU { for i in 0..<(P * oc) { po[i] = Swift.max(po[i], 0) } }
    let y = out
    let (tx, tk, tb) = (x.isTracked, kernel.isTracked, bias?.isTracked ?? false)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    return Tape.record(out, inputs: inputs) { dyIn in
        // One pass: mask dy by the fused ReLU and sum the bias gradient.
        var dy = dyIn, gb: Tensor?
        if fuseReLU || tb {
            if fuseReLU { dy = Tensor(uninitializedShape: dyIn.shape) }
            var sums = [Float](repeating: 0, count: oc)
            let pm = fuseReLU ? dy.freshPointer : nil, pi = dyIn.pointer, py = y.pointer
            sums.withUnsafeMutableBufferPointer { sb in
                let ps = sb.baseAddress!
                for r in 0..<P {
                    let gi = pi + r * oc, yr = py + r * oc
                    if let pm {
                        let gm = pm + r * oc
                        for j in 0..<oc { let v = gi[j]; let m = yr[j] > 0 ? v : 0; gm[j] = m; ps[j] += m }
                    } else {
                        for j in 0..<oc { ps[j] += gi[j] }
                    }
                }
            }
            if tb { gb = Tensor(shape: [oc], data: sums) }
        }
        let pg = dy.pointer
        var gx: Tensor?, gk2: Tensor?
        withExtendedLifetime(x) {
            if tk {
                gk2 = Tensor(uninitializedShape: kernel.shape)
                let pk = gk2!.freshPointer
                for grp in 0..<g.groups {
                    gemm(col + grp * gk, lda: K, pg + grp * goc, ldb: oc, pk + grp * goc, ldc: oc,
                         m: gk, n: goc, k: P, transA: true)
                }
            }
        }
        if tx {
            gx = Tensor(shape: x.shape)
            let dcol = pointwise ? gx!.freshPointer : scratch!.pointer  // col is no longer needed
            for grp in 0..<g.groups {
                gemm(pg + grp * goc, lda: oc, kernel.pointer + grp * goc, ldb: oc, dcol + grp * gk, ldc: K,
                     m: P, n: gk, k: goc, transB: true)
            }
            if !pointwise { g.col2im(dcol, gx!.freshPointer, batch: n) }
        }
        return [gx, gk2, gb]
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

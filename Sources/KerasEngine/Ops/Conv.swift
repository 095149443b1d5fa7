import CBLAS
import KerasKernels
import Synchronization

/// A raw float buffer for an op's working data: a block's im2col rows, a masked
/// gradient, max-pool argmax cells, a transposed convolution's columns. Freed buffers go
/// back to a small pool, so the next batch (or the next block) reuses already-mapped
/// pages instead of faulting in fresh ones. Keep the buffer alive (capture it, or
/// `withExtendedLifetime`) while its pointer is in use.
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
        // Keep at most 16 buffers and 64 M floats (256 MB); evict the oldest beyond that.
        let evicted: [UInt] = ScratchBuffer.pool.withLock { free in
            free.append((address, n))
            var out: [UInt] = []
            while free.count > 16 || free.reduce(0, { $0 + $1.count }) > 1 << 26 { out.append(free.removeFirst().address) }
            return out
        }
        for a in evicted { UnsafeMutablePointer<Float>(bitPattern: a)?.deallocate() }
    }
    /// Freed buffers (address, element count), oldest first.
    private static let pool = Mutex<[(address: UInt, count: Int)]>([])
}

/// Convolution (cross-correlation, as Keras) of channels-last `x` (batch, h, w, in) or
/// (batch, w, in) with `kernel` (kh, kw, in/groups, out), plus an optional `bias`:
///
///     y[b, oy, ox, o] = bias[o] + Σ_{ky,kx,c} x[b, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw, g·cg + c] · k[ky, kx, c, o]
///
/// computed by oneDNN when it can (``OneDNN``), else as im2col(x) (b·oh·ow, kh·kw·cg) ×
/// kernel (kh·kw·cg, out), one GEMM per group. The batch is split into chunks run in parallel (`ParallelBatch`), and each chunk is
/// walked in blocks of a few examples whose im2col rows and outputs fit in the L2 cache:
/// im2col, GEMM and the bias + ReLU pass of a block run back to back on cached data, and
/// no batch-sized im2col matrix is kept — backward rebuilds a block's columns (cheap next
/// to its GEMMs). Backward per block: dy masked by the fused ReLU (and summed for dbias),
/// dK += colᵀ·dy, dx = col2im(dy·Kᵀ).
///
/// `gradientMasked`: the output's only reader already zeroes its gradient wherever the fused
/// ReLU's output is not positive (a 2×2 max pooling masking by its own output, which is the
/// ReLU of its window's winner), so the backward skips its own masking pass.
public func conv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvGeometry,
                   fuseReLU: Bool = false, gradientMasked: Bool = false) -> Tensor {
    let n = x.shape[0]
    precondition(x.count == n * g.inH * g.inW * g.inC && kernel.count == g.groupK * g.outC,
                 "conv2d: input \(x.shape), kernel \(kernel.shape) do not fit \(g)")
    let blocks = ConvBlocks(g)
    let (K, gk, oc, goc) = (g.colK, g.groupK, g.outC, g.groupOutC)
    let outShape = windowOutputShape(x, g, channels: oc)
    let px = x.pointer, pk = kernel.pointer, pb = bias?.pointer
    let chunks = ParallelBatch.chunks(n)
    let out = OneDNN.conv2d(x, kernel, bias: bias, geometry: g, batch: n, post: fuseReLU ? .relu : .none, outputShape: outShape)
        ?? conv2dBlocked(px, pk, pb, blocks: blocks, batch: n, chunks: chunks, fuseReLU: fuseReLU, outputShape: outShape)
    let y = out
    let (tx, tk, tb) = (x.isTracked, kernel.isTracked, bias?.isTracked ?? false)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    let maskReLU = fuseReLU && !gradientMasked
    return Tape.record(out, inputs: inputs) { dyIn in
        if OneDNN.backwardApplies(g) {
            var dy = dyIn
            if maskReLU { dy = maskedWherePositive(dyIn, y) }  // dy where the ReLU's output was positive
            if let (gx, gk, gb) = OneDNN.conv2dBackward(x, kernel, hasBias: bias != nil, dy: dy, geometry: g, batch: n,
                                                       wantX: tx, wantWeights: tk || tb) {
                return [gx, tk ? gk : nil, tb ? gb : nil]
            }
        }
        if !tx, tk, g.groups == 1, g.colK <= Int(KK_CONV_DK_MAX_TAPS), oc % 16 == 0 {
            // A first layer (few taps, no dx): dK and dbias straight from x and dy, no columns.
            let (gk, gb) = smallKernelGradients(x, dy: dyIn, relu: maskReLU ? y : nil, geometry: g, kernelShape: kernel.shape, bias: tb)
            return [nil, gk, gb]
        }
        let kCount = gk * oc
        // Per-chunk partial sums: dbias (chunks × oc) and dK (chunk 0 writes the result).
        let biasSums: UnsafeMutablePointer<Float>? = tb ? .allocate(capacity: chunks * oc) : nil
        let kernelParts: UnsafeMutablePointer<Float>? = tk && chunks > 1 ? .allocate(capacity: (chunks - 1) * kCount) : nil
        defer { biasSums?.deallocate(); kernelParts?.deallocate() }
        var gk2 = tk ? Tensor(uninitializedShape: kernel.shape) : nil
        var gx = tx ? Tensor(uninitializedShape: x.shape) : nil
        let pgk = gk2?.freshPointer, pgx = gx?.freshPointer
        let pdy = dyIn.pointer, py = y.pointer
        ParallelBatch.run(n, chunks: chunks) { c, examples in
            let colBuffer = tk || tx ? blocks.columnBuffer() : nil
            let maskBuffer = maskReLU ? ScratchBuffer(count: blocks.rowsPerBlock * oc) : nil
            let masked = maskBuffer?.pointer
            let sums = biasSums.map { $0 + c * oc }
            sums?.update(repeating: 0, count: oc)
            let dK = pgk.map { c == 0 ? $0 : kernelParts! + (c - 1) * kCount }
            var first = true
            blocks.forEach(examples) { e, count, r0, rows in
                var dy = pdy + r0 * oc
                if let masked {
                    maskAndSum(dy, relu: py + r0 * oc, into: masked, sums: sums, rows: rows, n: oc)
                    dy = UnsafePointer(masked)
                } else if let sums {
                    maskAndSum(dy, relu: nil, into: nil, sums: sums, rows: rows, n: oc)
                }
                if let dK {
                    let col = blocks.columns(px, example: e, count: count, into: colBuffer?.pointer)
                    for grp in 0..<g.groups {
                        gemm(col + grp * gk, lda: K, dy + grp * goc, ldb: oc, dK + grp * goc, ldc: oc,
                             m: gk, n: goc, k: rows, transA: true, beta: first ? 0 : 1)
                    }
                }
                if let pgx {
                    let gxb = pgx + e * blocks.inSize
                    let dcol = blocks.pointwise ? gxb : colBuffer!.pointer
                    for grp in 0..<g.groups {
                        gemm(dy + grp * goc, lda: oc, pk + grp * goc, ldb: oc, dcol + grp * gk, ldc: K,
                             m: rows, n: gk, k: goc, transB: true)
                    }
                    if !blocks.pointwise {
                        gxb.update(repeating: 0, count: count * blocks.inSize)
                        g.col2im(dcol, gxb, batch: count)
                    }
                }
                first = false
            }
            withExtendedLifetime((colBuffer, maskBuffer)) {}
        }
        withExtendedLifetime((x, kernel, y)) {}
        if let pgk, let parts = kernelParts {
            for c in 0..<(chunks - 1) { addInPlace(pgk, parts + c * kCount, kCount) }
        }
        var gb: Tensor?
        if let sums = biasSums {
            var t = Tensor(uninitializedShape: [oc])
            let pt = t.freshPointer
            pt.update(from: sums, count: oc)
            for c in 1..<chunks { addInPlace(pt, sums + c * oc, oc) }
            gb = t
        }
        return [gx, gk2, gb]
    }
}

/// The engine's own forward convolution (when oneDNN is off or cannot make the shape): each
/// chunk of the batch in blocks of examples, im2col → GEMM per group → bias + ReLU.
private func conv2dBlocked(_ px: UnsafePointer<Float>, _ pk: UnsafePointer<Float>, _ pb: UnsafePointer<Float>?,
                           blocks: ConvBlocks, batch n: Int, chunks: Int, fuseReLU: Bool, outputShape: [Int]) -> Tensor {
    let g = blocks.g
    let (K, gk, oc, goc) = (g.colK, g.groupK, g.outC, g.groupOutC)
    var out = Tensor(uninitializedShape: outputShape)
    let po = out.freshPointer
    ParallelBatch.run(n, chunks: chunks) { _, examples in
        let colBuffer = blocks.columnBuffer()
        blocks.forEach(examples) { e, count, r0, rows in
            let col = blocks.columns(px, example: e, count: count, into: colBuffer?.pointer)
            for grp in 0..<g.groups {
                gemm(col + grp * gk, lda: K, pk + grp * goc, ldb: oc, po + r0 * oc + grp * goc, ldc: oc,
                     m: rows, n: goc, k: gk)
            }
            biasReLU(po + r0 * oc, rows: rows, n: oc, bias: pb, relu: fuseReLU)
        }
        withExtendedLifetime(colBuffer) {}
    }
    return out
}

/// How `conv2d` walks a chunk of examples: blocks of whole examples whose im2col rows
/// (and output rows) take about 512 KB, so a block's passes stay in the L2 cache.
struct ConvBlocks {
    let g: ConvGeometry
    /// Output rows (pixels) per example, and input floats per example.
    let perExample: Int, inSize: Int
    let examplesPerBlock: Int
    /// A 1×1 stride-1 unpadded kernel reads the input rows as its columns.
    let pointwise: Bool

    /// The target size of a block's im2col (or output) rows; tests shrink it to force
    /// one example per block.
    nonisolated(unsafe) static var budgetBytes = 512 << 10

    init(_ g: ConvGeometry, budgetBytes: Int = ConvBlocks.budgetBytes) {
        self.g = g
        perExample = g.outH * g.outW
        inSize = g.inH * g.inW * g.inC
        pointwise = g.isPointwise
        let bytesPerExample = perExample * Swift.max(g.colK, g.outC) * MemoryLayout<Float>.size
        examplesPerBlock = Swift.max(1, budgetBytes / Swift.max(bytesPerExample, 1))
    }

    var rowsPerBlock: Int { examplesPerBlock * perExample }

    /// A buffer for one block's im2col rows (nil for pointwise kernels), from the pool.
    func columnBuffer() -> ScratchBuffer? {
        pointwise ? nil : ScratchBuffer(count: rowsPerBlock * g.colK)
    }

    /// The im2col rows of `count` examples from `example`: written into `buffer`, or the
    /// input itself for pointwise kernels.
    @inline(__always)
    func columns(_ x: UnsafePointer<Float>, example: Int, count: Int, into buffer: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        guard let buffer else { return x + example * inSize }
        g.im2col(x + example * inSize, buffer, batch: count)
        return UnsafePointer(buffer)
    }

    /// Calls `body(firstExample, count, firstRow, rows)` for each block of `examples`.
    @inline(__always)
    func forEach(_ examples: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        var e = examples.lowerBound
        while e < examples.upperBound {
            let count = Swift.min(examplesPerBlock, examples.upperBound - e)
            body(e, count, e * perExample, count * perExample)
            e += count
        }
    }
}

// MARK: - Vector helpers

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

/// A convolution's kernel and bias gradients by `kk_conv_dk_small` (at most
/// KK_CONV_DK_MAX_TAPS taps, output channels a multiple of 16, one group): each chunk of
/// examples sums on its own core, and the chunks' sums are added in chunk order. `relu`: the
/// output of a fused ReLU, masking dy.
func smallKernelGradients(_ x: Tensor, dy: Tensor, relu y: Tensor?, geometry g: ConvGeometry, kernelShape: [Int],
                          bias: Bool) -> (Tensor, Tensor?) {
    let geometry = g.kernelsGeometry
    let px = x.pointer, pdy = dy.pointer, py = y?.pointer
    let inSize = g.inH * g.inW * g.inC, outSize = g.outH * g.outW * g.outC
    defer { withExtendedLifetime((x, dy, y)) {} }
    return kernelGradientsByChunk(batch: x.shape[0], geometry: g, kernelShape: kernelShape, bias: bias) { examples, dk, db in
        let first = examples.lowerBound
        withUnsafePointer(to: geometry) { gp in
            kk_conv_dk_small(px + first * inSize, pdy + first * outSize, py.map { $0 + first * outSize }, examples.count, gp, dk, db)
        }
    }
}

/// dK (kernelShape) and dbias (when `bias`) summed over the batch's chunks, run in parallel:
/// `chunk` writes a chunk's sums to its own dK and dbias storage (overwriting them).
func kernelGradientsByChunk(batch n: Int, geometry g: ConvGeometry, kernelShape: [Int], bias: Bool,
                            _ chunk: (Range<Int>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> (Tensor, Tensor?) {
    let oc = g.outC, kCount = g.colK * oc
    let chunks = ParallelBatch.chunks(n), partSize = kCount + oc
    let parts = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunks, 1) * partSize)
    defer { parts.deallocate() }
    ParallelBatch.run(n, chunks: chunks) { c, examples in
        chunk(examples, parts + c * partSize, parts + c * partSize + kCount)
    }
    var gk = Tensor(uninitializedShape: kernelShape)
    let pk = gk.freshPointer
    pk.update(from: parts, count: kCount)
    for c in 1..<Swift.max(chunks, 1) { addInPlace(pk, parts + c * partSize, kCount) }
    guard bias else { return (gk, nil) }
    var gb = Tensor(uninitializedShape: [oc])
    let pb = gb.freshPointer
    pb.update(from: parts + kCount, count: oc)
    for c in 1..<Swift.max(chunks, 1) { addInPlace(pb, parts + c * partSize + kCount, oc) }
    return (gk, gb)
}

extension ConvGeometry {
    /// This geometry as KerasKernels' C struct (one group).
    var kernelsGeometry: kk_conv_geometry {
        kk_conv_geometry(h: inH, w: inW, c: inC, oh: outH, ow: outW, oc: outC, kh: kh, kw: kw,
                         sh: sh, sw: sw, dh: dh, dw: dw, pad_top: padTop, pad_left: padLeft)
    }
}

/// a[i] += b[i] for i < n.
@inline(__always)
func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(a + i) + load8(b + i), a + i); i += 8 }
    while i < n { a[i] += b[i]; i += 1 }
}

/// Adds `bias` (when given) to each of `rows` rows of `out` (width n) and, with `relu`,
/// clamps at 0 — one pass after the GEMM.
@inline(__always)
func biasReLU(_ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, bias: UnsafePointer<Float>?, relu: Bool) {
    if bias == nil && !relu { return }
    let zero = SIMD8<Float>(repeating: 0)
    for r in 0..<rows {
        let row = out + r * n
        var j = 0
        while j + 8 <= n {
            var v = load8(row + j)
            if let bias { v += load8(bias + j) }
            if relu { v = pointwiseMax(v, zero) }
            store8(v, row + j)
            j += 8
        }
        while j < n {
            var v = row[j] + (bias?[j] ?? 0)
            if relu { v = Swift.max(v, 0) }
            row[j] = v
            j += 1
        }
    }
}

/// One pass over dy (rows, n): masks it where the ReLU output `y` was not positive (when
/// given, writing `out`) and adds the (masked) column sums to `sums` (when given).
@inline(__always)
func maskAndSum(_ dy: UnsafePointer<Float>, relu y: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>?,
                sums: UnsafeMutablePointer<Float>?, rows: Int, n: Int) {
    let zero = SIMD8<Float>(repeating: 0)
    for r in 0..<rows {
        let gi = dy + r * n
        var j = 0
        while j + 8 <= n {
            var v = load8(gi + j)
            if let y, let out {
                v = v.replacing(with: zero, where: load8(y + r * n + j) .<= zero)
                store8(v, out + r * n + j)
            }
            if let sums { store8(load8(sums + j) + v, sums + j) }
            j += 8
        }
        while j < n {
            var v = gi[j]
            if let y, let out { v = y[r * n + j] > 0 ? v : 0; out[r * n + j] = v }
            sums?[j] += v
            j += 1
        }
    }
}

/// The output shape of a sliding-window op: `x`'s batch, the geometry's spatial size
/// (one axis for rank-3 inputs, two for rank 4) and `channels`.
func windowOutputShape(_ x: Tensor, _ g: ConvGeometry, channels: Int) -> [Int] {
    x.rank == 3 ? [x.shape[0], g.outW, channels] : [x.shape[0], g.outH, g.outW, channels]
}

/// Column sums of a (rows, n) matrix into a new (n) tensor: the bias gradient.
func columnSums(_ g: UnsafePointer<Float>, rows: Int, n: Int) -> Tensor {
    var out = Tensor(shape: [n])
    let po = out.freshPointer
    for r in 0..<rows { let row = g + r * n; for j in 0..<n { po[j] += row[j] } }
    return out
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

import KerasKernels
/// Pooling ops over channels-last windows, each with its backward.

/// Max pooling: `y[b, oy, ox, c] = max over the window cells inside the input`.
/// Forward also records, per output value, which window cell (row-major, the first on
/// ties) held the max; backward routes each output gradient there without reading x or y
/// again. Loops run over contiguous channels in SIMD8 steps, batch chunks in parallel;
/// when windows do not overlap (stride ≥ pool size, Keras's default) every input cell is
/// written exactly once, so the input gradient needs no zero-filling pass.
///
/// `maskByOutput`: the gradient counts only where the output is positive — a ReLU that ran
/// before the pooling (inside its convolution, ``conv2d(_:_:bias:geometry:fuseReLU:gradientMasked:)``)
/// has its mask applied here, on the pooled gradient, a quarter of its input's size.
public func maxPool2d(_ x: Tensor, geometry g: ConvGeometry, maskByOutput: Bool = false) -> Tensor {
    let n = x.shape[0], C = g.inC
    precondition(g.outC == C && x.count == n * g.inH * g.inW * C, "maxPool2d: \(x.shape) does not fit \(g)")
    var out = Tensor(uninitializedShape: windowOutputShape(x, g, channels: C))
    let px = x.pointer, po = out.freshPointer
    let tracked = x.isTracked
    let y: Tensor? = maskByOutput ? out : nil   // the backward's mask, kept only when asked
    // The argmax cell of every output value, as a Float (exact for windows < 2²⁴ cells).
    let argmax: ScratchBuffer? = tracked ? ScratchBuffer(count: out.count) : nil
    let pa = argmax?.pointer
    let chunks = ParallelBatch.chunks(n)
    // Keras's default (2×2, strides 2, valid): one vectorized C loop per chunk.
    if g.isPairPool {
        let (h, w, inSize, outSize) = (g.inH, g.inW, g.inH * g.inW * C, g.outH * g.outW * C)
        ParallelBatch.run(n, chunks: chunks) { _, b in
            kk_maxpool2x2(px + b.lowerBound * inSize, po + b.lowerBound * outSize, pa.map { $0 + b.lowerBound * outSize },
                          b.count, h, w, C)
        }
        return Tape.record(out, inputs: [x]) { dyIn in
            guard let pa = argmax?.pointer else { return [nil] }
            let dy = y.map { maskedWherePositive(dyIn, $0) } ?? dyIn
            var gx = Tensor(uninitializedShape: x.shape)
            let pd = gx.freshPointer, pg = dy.pointer
            ParallelBatch.run(n, chunks: chunks) { _, b in
                kk_maxpool2x2_backward(pg + b.lowerBound * outSize, pa + b.lowerBound * outSize, pd + b.lowerBound * inSize,
                                       b.count, h, w, C)
            }
            withExtendedLifetime(dy) {}   // a masked dy is owned here alone: alive until read
            return [gx]
        }
    }
    ParallelBatch.run(n, chunks: chunks) { _, b in
        forEachWindow(g, batches: b) { o, first, _, cells in
            let dst = po + o
            dst.update(from: px + first, count: C)
            if let pa {
                let ix = pa + o
                ix.update(repeating: 0, count: C)
                var k: Float = 0
                cells { i in maxWithIndex(px + i, into: dst, index: ix, cell: k, C); k += 1 }
            } else {
                cells { i in maxWithIndex(px + i, into: dst, index: nil, cell: 0, C) }
            }
        }
    }
    let disjoint = g.sh >= g.kh && g.sw >= g.kw
    return Tape.record(out, inputs: [x]) { dyIn in
        guard let pa = argmax?.pointer else { return [nil] }
        let dy = y.map { maskedWherePositive(dyIn, $0) } ?? dyIn
        defer { withExtendedLifetime(dy) {} }   // a masked dy is owned here alone: alive until read
        var gx = Tensor(uninitializedShape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer
        let inSize = g.inH * g.inW * C
        ParallelBatch.run(n, chunks: chunks) { _, b in
            if disjoint {
                zeroUncoveredCells(pd, g, batches: b)
            } else {
                (pd + b.lowerBound * inSize).update(repeating: 0, count: b.count * inSize)
            }
            forEachWindow(g, batches: b) { o, _, _, cells in
                var k: Float = 0
                cells { i in routeGradient(pg + o, index: pa + o, cell: k, to: pd + i, accumulate: !disjoint, C); k += 1 }
            }
        }
        return [gx]
    }
}

/// dst = max(dst, src) over C channels; where src is strictly larger, index = cell.
@inline(__always)
func maxWithIndex(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Float>?,
                  cell: Float, _ C: Int) {
    var c = 0
    let k = SIMD8<Float>(repeating: cell)
    while c + 8 <= C {
        let v = load8(src + c), best = load8(dst + c), greater = v .> best
        store8(best.replacing(with: v, where: greater), dst + c)
        if let index { store8(load8(index + c).replacing(with: k, where: greater), index + c) }
        c += 8
    }
    while c < C {
        if src[c] > dst[c] { dst[c] = src[c]; index?[c] = cell }
        c += 1
    }
}

/// The gradient of one window cell: dy where the cell held the max, else 0; written, or
/// added when windows overlap.
@inline(__always)
func routeGradient(_ dy: UnsafePointer<Float>, index: UnsafePointer<Float>, cell: Float, to dst: UnsafeMutablePointer<Float>,
                   accumulate: Bool, _ C: Int) {
    var c = 0
    let k = SIMD8<Float>(repeating: cell), zero = SIMD8<Float>(repeating: 0)
    while c + 8 <= C {
        let v = zero.replacing(with: load8(dy + c), where: load8(index + c) .== k)
        store8(accumulate ? load8(dst + c) + v : v, dst + c)
        c += 8
    }
    while c < C {
        let v: Float = index[c] == cell ? dy[c] : 0
        dst[c] = accumulate ? dst[c] + v : v
        c += 1
    }
}

/// Zeroes the input cells of `batches` that no window of `g` covers (windows that do not
/// overlap: stride ≥ pool size), e.g. the last row and column of an 11×11 input under
/// 2×2 pooling.
func zeroUncoveredCells(_ p: UnsafeMutablePointer<Float>, _ g: ConvGeometry, batches: Range<Int>) {
    let C = g.inC
    func covered(_ i: Int, pad: Int, stride: Int, k: Int, outCount: Int) -> Bool {
        let t = i + pad
        return t / stride < outCount && t % stride < k
    }
    let colCovered = (0..<g.inW).map { covered($0, pad: g.padLeft, stride: g.sw, k: g.kw, outCount: g.outW) }
    let allColumns = !colCovered.contains(false)
    for b in batches {
        for iy in 0..<g.inH {
            let row = p + ((b * g.inH + iy) * g.inW) * C
            if !covered(iy, pad: g.padTop, stride: g.sh, k: g.kh, outCount: g.outH) {
                row.update(repeating: 0, count: g.inW * C)
            } else if !allColumns {
                for ix in 0..<g.inW where !colCovered[ix] { (row + ix * C).update(repeating: 0, count: C) }
            }
        }
    }
}

/// Calls `body(outputOffset, firstCellOffset, cellCount, cells)` for every output pixel of
/// `g` in the examples `batches`; `cells(f)` calls f(inputOffset) for each of the
/// `cellCount` window cells inside the input, row-major.
@inline(__always)
func forEachWindow(_ g: ConvGeometry, batches: Range<Int>, _ body: (Int, Int, Int, ((Int) -> Void) -> Void) -> Void) {
    let C = g.inC
    var o = batches.lowerBound * g.outH * g.outW * C
    for b in batches {
        let xb = b * g.inH * g.inW * C
        for oy in 0..<g.outH {
            let y0 = oy * g.sh - g.padTop
            let ky0 = Swift.max(0, -y0), ky1 = Swift.min(g.kh, g.inH - y0)
            for ox in 0..<g.outW {
                let x0 = ox * g.sw - g.padLeft
                let kx0 = Swift.max(0, -x0), kx1 = Swift.min(g.kw, g.inW - x0)
                body(o, xb + ((y0 + ky0) * g.inW + x0 + kx0) * C, (ky1 - ky0) * (kx1 - kx0)) { f in
                    for ky in ky0..<ky1 { for kx in kx0..<kx1 { f(xb + ((y0 + ky) * g.inW + x0 + kx) * C) } }
                }
                o += C
            }
        }
    }
}

/// Average pooling: the mean over the window cells inside the input (padding cells are
/// not counted, as Keras/TF "same"). Backward spreads dy/count over those cells.
public func averagePool2d(_ x: Tensor, geometry g: ConvGeometry) -> Tensor {
    let n = x.shape[0], C = g.inC
    precondition(g.outC == C && x.count == n * g.inH * g.inW * C, "averagePool2d: \(x.shape) does not fit \(g)")
    var out = Tensor(shape: windowOutputShape(x, g, channels: C))
    let px = x.pointer, po = out.freshPointer
    forEachWindow(g, batches: 0..<n) { o, _, count, cells in
        let inv = 1 / Float(Swift.max(count, 1))
        cells { i in for c in 0..<C { po[o + c] += px[i + c] * inv } }
    }
    return Tape.record(out, inputs: [x]) { dy in
        var gx = Tensor(shape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer
        forEachWindow(g, batches: 0..<n) { o, _, count, cells in
            let inv = 1 / Float(Swift.max(count, 1))
            cells { i in for c in 0..<C { pd[i + c] += pg[o + c] * inv } }
        }
        return [gx]
    }
}

/// Max over the spatial axes of (batch, ..., channels) → (batch, channels); the gradient
/// goes to the first argmax.
public func globalMaxPool(_ x: Tensor) -> Tensor {
    let n = x.shape[0], C = x.shape[x.rank - 1], S = x.count / Swift.max(n * C, 1)
    var out = Tensor(uninitializedShape: [n, C])
    var argmax = [Int](repeating: 0, count: n * C)
    let px = x.pointer, po = out.freshPointer
    for b in 0..<n {
        for c in 0..<C {
            var best = b * S * C + c
            for s in 1..<Swift.max(S, 1) { let i = (b * S + s) * C + c; if px[i] > px[best] { best = i } }
            po[b * C + c] = px[best]; argmax[b * C + c] = best
        }
    }
    return Tape.record(out, inputs: [x]) { dy in
        var gx = Tensor(shape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer
        for i in 0..<argmax.count { pd[argmax[i]] += pg[i] }
        return [gx]
    }
}

/// Mean over the spatial axes of (batch, ..., channels) → (batch, channels).
public func globalAveragePool(_ x: Tensor) -> Tensor {
    let n = x.shape[0], C = x.shape[x.rank - 1], S = x.count / Swift.max(n * C, 1)
    let inv = 1 / Float(Swift.max(S, 1))
    var out = Tensor(shape: [n, C])
    let px = x.pointer, po = out.freshPointer
    for b in 0..<n { for s in 0..<S { let row = px + (b * S + s) * C; for c in 0..<C { po[b * C + c] += row[c] * inv } } }
    return Tape.record(out, inputs: [x]) { dy in
        var gx = Tensor(uninitializedShape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer
        for b in 0..<n { for s in 0..<S { let row = pd + (b * S + s) * C; for c in 0..<C { row[c] = pg[b * C + c] * inv } } }
        return [gx]
    }
}

extension ConvGeometry {
    /// A 2×2 window with strides 2, "valid", undilated (Keras's default pooling), which
    /// `kk_maxpool2x2` and `conv2dMaxPool` take.
    var isPairPool: Bool {
        kh == 2 && kw == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0
            && outH == inH / 2 && outW == inW / 2 && dh == 1 && dw == 1
    }
}

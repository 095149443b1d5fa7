/// Pooling ops over channels-last windows, each with its backward.

/// Max pooling: `y[b, oy, ox, c] = max over the window cells inside the input`.
/// Backward routes each output gradient to the first window cell (row-major) holding
/// the max, found by comparing x with y — no argmax is stored, and both loops run over
/// contiguous channels so they vectorize.
public func maxPool2d(_ x: Tensor, geometry g: ConvGeometry) -> Tensor {
    let n = x.shape[0], C = g.inC
    precondition(g.outC == C && x.count == n * g.inH * g.inW * C, "maxPool2d: \(x.shape) does not fit \(g)")
    var out = Tensor(uninitializedShape: windowOutputShape(x, g, channels: C))
    let px = x.pointer, po = out.freshPointer
    forEachWindow(g, batch: n) { o, first, cells in
        let dst = po + o
        dst.update(from: px + first, count: C)
        cells { i in let src = px + i; for c in 0..<C { dst[c] = Swift.max(dst[c], src[c]) } }
    }
    let y = out
    return Tape.record(out, inputs: [x]) { dy in
        var gx = Tensor(shape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer, py = y.pointer
        let done = UnsafeMutablePointer<Float>.allocate(capacity: C)
        defer { done.deallocate() }
        forEachWindow(g, batch: n) { o, _, cells in
            done.update(repeating: 0, count: C)
            let yo = py + o, go = pg + o
            cells { i in
                let src = px + i, d = pd + i
                for c in 0..<C {
                    let eq: Float = src[c] == yo[c] ? 1 : 0
                    let hit = eq * (1 - done[c])
                    d[c] += hit * go[c]; done[c] += hit
                }
            }
        }
        return [gx]
    }
}

/// Calls `body(outputOffset, firstCellOffset, cells)` for every output pixel of `g`;
/// `cells(f)` calls f(inputOffset) for each window cell inside the input, row-major.
@inline(__always)
func forEachWindow(_ g: ConvGeometry, batch n: Int, _ body: (Int, Int, ((Int) -> Void) -> Void) -> Void) {
    let C = g.inC
    var o = 0
    for b in 0..<n {
        let xb = b * g.inH * g.inW * C
        for oy in 0..<g.outH {
            let y0 = oy * g.sh - g.padTop
            let ky0 = Swift.max(0, -y0), ky1 = Swift.min(g.kh, g.inH - y0)
            for ox in 0..<g.outW {
                let x0 = ox * g.sw - g.padLeft
                let kx0 = Swift.max(0, -x0), kx1 = Swift.min(g.kw, g.inW - x0)
                body(o, xb + ((y0 + ky0) * g.inW + x0 + kx0) * C) { f in
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
    /// Calls body(outputOffset, inputOffset, 1/count) for every (output pixel, window cell).
    func forEachCell(_ body: (Int, Int, Float) -> Void) {
        var o = 0
        for b in 0..<n {
            let xb = b * g.inH * g.inW * C
            for oy in 0..<g.outH {
                let y0 = oy * g.sh - g.padTop
                let ky0 = Swift.max(0, -y0), ky1 = Swift.min(g.kh, g.inH - y0)
                for ox in 0..<g.outW {
                    let x0 = ox * g.sw - g.padLeft
                    let kx0 = Swift.max(0, -x0), kx1 = Swift.min(g.kw, g.inW - x0)
                    let inv = 1 / Float(Swift.max((ky1 - ky0) * (kx1 - kx0), 1))
                    for ky in ky0..<ky1 { for kx in kx0..<kx1 { body(o, xb + ((y0 + ky) * g.inW + x0 + kx) * C, inv) } }
                    o += C
                }
            }
        }
    }
    forEachCell { o, i, inv in for c in 0..<C { po[o + c] += px[i + c] * inv } }
    return Tape.record(out, inputs: [x]) { dy in
        var gx = Tensor(shape: x.shape)
        let pd = gx.freshPointer, pg = dy.pointer
        forEachCell { o, i, inv in for c in 0..<C { pd[i + c] += pg[o + c] * inv } }
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

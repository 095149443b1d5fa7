/// The engine's own depthwise forward (when oneDNN is off or cannot make the shape).
private func depthwiseDirect(_ px: UnsafePointer<Float>, _ pk: UnsafePointer<Float>, _ pb: UnsafePointer<Float>?,
                             windows: DepthwiseWindows, batch n: Int, chunks: Int, outputShape: [Int]) -> Tensor {
    let (inC, oc) = (windows.g.inC, windows.g.outC)
    let m = oc / Swift.max(inC, 1)
    var out = Tensor(uninitializedShape: outputShape)
    let po = out.freshPointer
    ParallelBatch.run(n, chunks: chunks) { _, examples in
        for e in examples {
            windows.forEachOutput(example: e) { row, _ in
                let y = po + row * oc
                if let pb { y.update(from: pb, count: oc) } else { y.update(repeating: 0, count: oc) }
            }
            windows.forEachTap(example: e) { row, input, tap in
                let y = po + row * oc, xin = px + input * inC, k = pk + tap * oc
                if m == 1 { multiplyAdd(y, xin, k, oc) } else {
                    for c in 0..<inC { let v = xin[c]; for j in 0..<m { y[c * m + j] += v * k[c * m + j] } }
                }
            }
        }
    }
    return out
}

/// Depthwise convolution (Keras's DepthwiseConv1D/2D: groups = input channels) of
/// channels-last `x` (batch, h, w, in) or (batch, w, in) with `kernel` (kh, kw, in, m),
/// computed directly rather than as a grouped im2col + GEMM (whose GEMMs would have
/// n = m and k = kh·kw: all im2col, no arithmetic):
///
///     y[b, oy, ox, c·m + j] = bias[c·m + j] + Σ_{ky,kx} x[b, iy, ix, c] · k[ky, kx, c, j]
///
/// with iy = oy·sh − pt + ky·dh, ix = ox·sw − pl + kx·dw. Channels are contiguous in both
/// the input and a kernel row (ky, kx), so the inner loop is a vector multiply-add over
/// channels. Backward walks the same windows: dx[iy, ix, c] += Σ_j dy · k, and
/// dk[ky, kx, o] += x · dy summed per chunk of examples (fixed order: results do not
/// depend on timing).
public func depthwiseConv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvGeometry) -> Tensor {
    let n = x.shape[0]
    let (inC, oc) = (g.inC, g.outC)
    let m = oc / Swift.max(inC, 1)
    precondition(g.groups == inC && m * inC == oc && x.count == n * g.inH * g.inW * inC && kernel.count == g.kh * g.kw * oc,
                 "depthwiseConv2d: input \(x.shape), kernel \(kernel.shape) do not fit \(g)")
    let outShape = windowOutputShape(x, g, channels: oc)
    let px = x.pointer, pk = kernel.pointer, pb = bias?.pointer
    let chunks = ParallelBatch.chunks(n)
    let windows = DepthwiseWindows(g)
    let out = OneDNN.depthwise(x, kernel, bias: bias, geometry: g, batch: n, outputShape: outShape)
        ?? depthwiseDirect(px, pk, pb, windows: windows, batch: n, chunks: chunks, outputShape: outShape)
    let (tx, tk, tb) = (x.isTracked, kernel.isTracked, bias?.isTracked ?? false)
    var inputs = [x, kernel]
    if let bias { inputs.append(bias) }
    return Tape.record(out, inputs: inputs) { dyIn in
        let kCount = kernel.count
        let kernelParts: UnsafeMutablePointer<Float>? = tk ? .allocate(capacity: chunks * kCount) : nil
        let biasParts: UnsafeMutablePointer<Float>? = tb ? .allocate(capacity: chunks * oc) : nil
        defer { kernelParts?.deallocate(); biasParts?.deallocate() }
        var gx = tx ? Tensor(shape: x.shape) : nil
        let pgx = gx?.freshPointer, pdy = dyIn.pointer
        ParallelBatch.run(n, chunks: chunks) { c, examples in
            let dk = kernelParts.map { $0 + c * kCount }, db = biasParts.map { $0 + c * oc }
            dk?.update(repeating: 0, count: kCount)
            db?.update(repeating: 0, count: oc)
            for e in examples {
                if let db { windows.forEachOutput(example: e) { row, _ in addInPlace(db, pdy + row * oc, oc) } }
                guard dk != nil || pgx != nil else { continue }
                windows.forEachTap(example: e) { row, input, tap in
                    let dy = pdy + row * oc, xin = px + input * inC
                    if let dk {
                        let dkr = dk + tap * oc
                        if m == 1 { multiplyAdd(dkr, xin, dy, oc) } else {
                            for c in 0..<inC { let v = xin[c]; for j in 0..<m { dkr[c * m + j] += v * dy[c * m + j] } }
                        }
                    }
                    if let pgx {
                        let dx = pgx + input * inC, k = pk + tap * oc
                        if m == 1 { multiplyAdd(dx, dy, k, oc) } else {
                            for c in 0..<inC { var s: Float = 0; for j in 0..<m { s += dy[c * m + j] * k[c * m + j] }; dx[c] += s }
                        }
                    }
                }
            }
        }
        withExtendedLifetime((x, kernel)) {}
        func summed(_ parts: UnsafeMutablePointer<Float>?, _ count: Int, shape: [Int]) -> Tensor? {
            guard let parts else { return nil }
            var t = Tensor(uninitializedShape: shape)
            let pt = t.freshPointer
            pt.update(from: parts, count: count)
            for c in 1..<chunks { addInPlace(pt, parts + c * count, count) }
            return t
        }
        return [gx, summed(kernelParts, kCount, shape: kernel.shape), summed(biasParts, oc, shape: [oc])]
    }
}

/// The windows of a depthwise convolution over one example: output rows (pixels) and,
/// for each, the taps (ky, kx) whose input pixel lies inside the image.
struct DepthwiseWindows {
    let g: ConvGeometry
    init(_ g: ConvGeometry) { self.g = g }

    /// `body(outputRow, outputPixel)` for every output pixel of `example`.
    @inline(__always)
    func forEachOutput(example e: Int, _ body: (Int, Int) -> Void) {
        let perExample = g.outH * g.outW
        for p in 0..<perExample { body(e * perExample + p, p) }
    }

    /// `body(outputRow, inputPixel, tap)` for every output pixel and in-image tap.
    @inline(__always)
    func forEachTap(example e: Int, _ body: (Int, Int, Int) -> Void) {
        for oy in 0..<g.outH {
            for ky in 0..<g.kh {
                let iy = oy * g.sh - g.padTop + ky * g.dh
                guard iy >= 0, iy < g.inH else { continue }
                for ox in 0..<g.outW {
                    let row = (e * g.outH + oy) * g.outW + ox
                    for kx in 0..<g.kw {
                        let ix = ox * g.sw - g.padLeft + kx * g.dw
                        guard ix >= 0, ix < g.inW else { continue }
                        body(row, (e * g.inH + iy) * g.inW + ix, ky * g.kw + kx)
                    }
                }
            }
        }
    }
}

/// y[i] += a[i] · b[i] for i < n.
@inline(__always)
func multiplyAdd(_ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(y + i) + load8(a + i) * load8(b + i), y + i); i += 8 }
    while i < n { y[i] += a[i] * b[i]; i += 1 }
}

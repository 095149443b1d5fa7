/// `x / max(‖x‖₂, 1e-7)` along `axis` (Keras's `ops.normalize`), differentiable:
/// `dx = (g − y·Σ(g·y)) / ‖x‖` where the norm is not clipped, `g / 1e-7` where it is.
public func l2Normalize(_ x: Tensor, axis: Int, epsilon: Float = 1e-7) -> Tensor {
    let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
    let out = Tensor(uninitializedShape: x.shape)
    var inv = [Float](repeating: 0, count: outer * inner)
    var clipped = [Bool](repeating: false, count: outer * inner)
    let px = x.pointer, po = out.freshPointer
    for o in 0..<outer {
        for i in 0..<inner {
            var s: Float = 0
            for k in 0..<n { let v = px[(o * n + k) * inner + i]; s += v * v }
            let r = s.squareRoot()
            let q = r > epsilon ? 1 / r : 1 / epsilon
            inv[o * inner + i] = q; clipped[o * inner + i] = !(r > epsilon)
            for k in 0..<n { po[(o * n + k) * inner + i] = px[(o * n + k) * inner + i] * q }
        }
    }
    let y = out
    return Tape.record(out, inputs: [x]) { g in
        let gx = Tensor(uninitializedShape: x.shape)
        let pg = g.pointer, py = y.pointer, pd = gx.freshPointer
        for o in 0..<outer {
            for i in 0..<inner {
                let q = inv[o * inner + i]
                var dotGY: Float = 0
                if !clipped[o * inner + i] { for k in 0..<n { let j = (o * n + k) * inner + i; dotGY += pg[j] * py[j] } }
                for k in 0..<n { let j = (o * n + k) * inner + i; pd[j] = (pg[j] - py[j] * dotGY) * q }
            }
        }
        return [gx]
    }
}

/// Swaps two adjacent axes: (outer, a, b, inner) → (outer, b, a, inner).
private func swapAdjacent(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, outer: Int, a: Int, b: Int, inner: Int) {
    if a == 1 || b == 1 { dst.update(from: src, count: outer * a * b * inner); return }
    for o in 0..<outer {
        let s0 = src + o * a * b * inner, d0 = dst + o * a * b * inner
        for i in 0..<a { for j in 0..<b { (d0 + (j * a + i) * inner).update(from: s0 + (i * b + j) * inner, count: inner) } }
    }
}

/// Keras's `batch_dot`: per example, contracts axis `axes.0` of `x` with `axes.1` of `y`
/// (both ≥ 1); the result has `x`'s other axes then `y`'s (shape `[batch, 1]` if none).
/// Computed as one (M×K)·(K×N) product per example after moving the axes into place.
public func batchDot(_ x: Tensor, _ y: Tensor, axes: (Int, Int)) -> Tensor {
    let (a1, a2) = axes
    precondition(a1 >= 1 && a2 >= 1 && a1 < x.rank && a2 < y.rank && x.shape[a1] == y.shape[a2] && x.batchSize == y.batchSize,
                 "batchDot: \(x.shape) · \(y.shape) on axes \(axes)")
    let batch = x.batchSize, k = x.shape[a1]
    let p1 = x.shape[1..<a1].reduce(1, *), q1 = x.shape[(a1 + 1)...].reduce(1, *)
    let p2 = y.shape[1..<a2].reduce(1, *), q2 = y.shape[(a2 + 1)...].reduce(1, *)
    let m = p1 * q1, n = p2 * q2
    var outShape = [batch] + x.shape[1...].enumerated().filter { $0.offset + 1 != a1 }.map(\.element)
        + y.shape[1...].enumerated().filter { $0.offset + 1 != a2 }.map(\.element)
    if outShape.count == 1 { outShape.append(1) }
    // X: (batch, m, k) with the contracted axis last; Y: (batch, k, n) with it first.
    let xSaved = Tensor(uninitializedShape: [x.count]), ySaved = Tensor(uninitializedShape: [y.count])
    let xm = xSaved.freshPointer, ym = ySaved.freshPointer
    swapAdjacent(x.pointer, xm, outer: batch * p1, a: k, b: q1, inner: 1)
    swapAdjacent(y.pointer, ym, outer: batch, a: p2, b: k, inner: q2)
    let out = Tensor(uninitializedShape: outShape)
    let po = out.freshPointer
    if m == 1 && n == 1 {
        for b in 0..<batch { var s: Float = 0; for j in 0..<k { s += xm[b * k + j] * ym[b * k + j] }; po[b] = s }
    } else {
        for b in 0..<batch { sgemm(xm + b * m * k, ym + b * k * n, po + b * m * n, m: m, n: n, k: k) }
    }
    let (tx, ty) = (x.isTracked, y.isTracked)
    let xs = x.shape, ys = y.shape
    return Tape.record(out, inputs: [x, y]) { g in
        let pg = g.pointer, px = xSaved.pointer, py = ySaved.pointer
        var gx: Tensor?, gy: Tensor?
        if tx {
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: batch * m * k)
            defer { tmp.deallocate() }
            for b in 0..<batch { sgemm(pg + b * m * n, py + b * k * n, tmp + b * m * k, m: m, n: k, k: n, transB: true) }
            gx = Tensor(uninitializedShape: xs)
            swapAdjacent(tmp, gx!.freshPointer, outer: batch * p1, a: q1, b: k, inner: 1)
        }
        if ty {
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: batch * k * n)
            defer { tmp.deallocate() }
            for b in 0..<batch { sgemm(px + b * m * k, pg + b * m * n, tmp + b * k * n, m: k, n: n, k: m, transA: true) }
            gy = Tensor(uninitializedShape: ys)
            swapAdjacent(tmp, gy!.freshPointer, outer: batch, a: k, b: p2, inner: q2)
        }
        return [gx, gy]
    }
}

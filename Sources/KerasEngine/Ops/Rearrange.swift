/// Data-movement ops for the reshaping layers, each with its backward.

/// Pads (positive amounts, with zeros) or crops (negative amounts) the spatial axes of a
/// channels-last (batch, h, w, c) tensor — or (batch, w, c) with `top`/`bottom` 0.
/// Backward copies back the overlapping box.
public func padOrCrop2d(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int) -> Tensor {
    let is1D = x.rank == 3
    let n = x.shape[0], C = x.shape[x.rank - 1]
    let H = is1D ? 1 : x.shape[1], W = x.shape[x.rank - 2]
    let OH = H + top + bottom, OW = W + left + right
    precondition(OH >= 0 && OW >= 0, "padOrCrop2d: \(x.shape) cropped below zero")
    let outShape = is1D ? [n, OW, C] : [n, OH, OW, C]
    // Overlap in input coordinates.
    let y0 = Swift.max(0, -top), y1 = Swift.min(H, H + bottom), x0 = Swift.max(0, -left), x1 = Swift.min(W, W + right)
    /// Copies the overlap from a (H, W) buffer to a (OH, OW) buffer (or back when `reverse`).
    func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, reverse: Bool) {
        guard y1 > y0, x1 > x0 else { return }
        let run = (x1 - x0) * C
        for b in 0..<n {
            for y in y0..<y1 {
                let i = ((b * H + y) * W + x0) * C, o = ((b * OH + y + top) * OW + x0 + left) * C
                if reverse { (dst + i).update(from: src + o, count: run) } else { (dst + o).update(from: src + i, count: run) }
            }
        }
    }
    var out = Tensor(shape: outShape)
    copy(x.pointer, out.freshPointer, reverse: false)
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(shape: x.shape)
        copy(g.pointer, gx.freshPointer, reverse: true)
        return [gx]
    }
}

/// Nearest-neighbour upsampling of (batch, h, w, c) (or (batch, w, c)): each cell is
/// repeated `sh`×`sw` times. Backward sums each block.
public func upsampleNearest2d(_ x: Tensor, sh: Int, sw: Int) -> Tensor {
    let is1D = x.rank == 3
    let n = x.shape[0], C = x.shape[x.rank - 1]
    let H = is1D ? 1 : x.shape[1], W = x.shape[x.rank - 2]
    let outShape = is1D ? [n, W * sw, C] : [n, H * sh, W * sw, C]
    let OW = W * sw
    var out = Tensor(uninitializedShape: outShape)
    let px = x.pointer, po = out.freshPointer
    for b in 0..<n { for y in 0..<(H * sh) { for xo in 0..<OW {
        (po + ((b * H * sh + y) * OW + xo) * C).update(from: px + ((b * H + y / sh) * W + xo / sw) * C, count: C)
    } } }
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(shape: x.shape)
        let pg = g.pointer, pd = gx.freshPointer
        for b in 0..<n { for y in 0..<(H * sh) { for xo in 0..<OW {
            let s = pg + ((b * H * sh + y) * OW + xo) * C, d = pd + ((b * H + y / sh) * W + xo / sw) * C
            for c in 0..<C { d[c] += s[c] }
        } } }
        return [gx]
    }
}

/// Permutes the axes of `x`: output axis i is input axis `perm[i]` (a permutation of
/// 0..<rank). Backward applies the inverse permutation.
public func transpose(_ x: Tensor, _ perm: [Int]) -> Tensor {
    precondition(perm.sorted() == Array(0..<x.rank), "transpose: \(perm) is not a permutation of \(x.shape)")
    let out = permuted(x, perm)
    var inverse = perm
    for (i, p) in perm.enumerated() { inverse[p] = i }
    return Tape.record(out, inputs: [x]) { g in [permuted(g, inverse)] }
}

/// The untracked axis permutation behind `transpose`.
func permuted(_ x: Tensor, _ perm: [Int]) -> Tensor {
    let r = x.rank
    var inStrides = [Int](repeating: 1, count: r)
    for i in stride(from: r - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * x.shape[i + 1] }
    let outShape = perm.map { x.shape[$0] }, st = perm.map { inStrides[$0] }
    var out = Tensor(uninitializedShape: outShape)
    let px = x.pointer, po = out.freshPointer
    guard out.count > 0 else { return out }
    var idx = [Int](repeating: 0, count: r)
    var src = 0
    let last = r - 1, lastN = outShape[last], lastS = st[last]
    var o = 0
    while o < out.count {
        for k in 0..<lastN { po[o + k] = px[src + k * lastS] }
        o += lastN
        // Advance the multi-index over all but the last axis.
        var a = last - 1
        while a >= 0 {
            idx[a] += 1; src += st[a]
            if idx[a] < outShape[a] { break }
            src -= st[a] * idx[a]; idx[a] = 0; a -= 1
        }
    }
    return out
}

/// (batch, d) → (batch, n, d), repeating each row `n` times. Backward sums the copies.
public func repeatVector(_ x: Tensor, _ n: Int) -> Tensor {
    let b = x.shape[0], d = x.count / Swift.max(b, 1)
    var out = Tensor(uninitializedShape: [b, n, d])
    let px = x.pointer, po = out.freshPointer
    for i in 0..<b { for k in 0..<n { (po + (i * n + k) * d).update(from: px + i * d, count: d) } }
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(shape: x.shape)
        let pg = g.pointer, pd = gx.freshPointer
        for i in 0..<b { for k in 0..<n { let s = pg + (i * n + k) * d; for j in 0..<d { pd[i * d + j] += s[j] } } }
        return [gx]
    }
}

/// NumPy broadcasting for elementwise binary ops.
public enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides of `shape` seen inside `outShape` (0 along broadcast axes).
    static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
        var st = [Int](repeating: 0, count: outShape.count)
        var acc = 1
        let off = outShape.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            st[i + off] = shape[i] == 1 ? 0 : acc
            acc *= shape[i]
        }
        return st
    }

    /// Calls `body(outIndex, aIndex, bIndex)` for every element of `outShape`.
    @inline(__always)
    static func forEach(_ outShape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
        let n = outShape.reduce(1, *)
        if n == 0 { return }
        let rank = outShape.count
        var idx = [Int](repeating: 0, count: rank)
        var ia = 0, ib = 0
        for o in 0..<n {
            body(o, ia, ib)
            var d = rank - 1
            while d >= 0 {
                idx[d] += 1; ia += sa[d]; ib += sb[d]
                if idx[d] < outShape[d] { break }
                ia -= sa[d] * idx[d]; ib -= sb[d] * idx[d]; idx[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// Sums this gradient down to `target` (undoing a broadcast). Untracked.
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return detached }
        var out = Tensor(shape: target)
        let st = Broadcast.strides(of: target, in: shape)
        let src = pointer
        let dst = out.freshPointer
        Broadcast.forEach(shape, st, st) { o, i, _ in dst[i] += src[o] }
        return out
    }
}

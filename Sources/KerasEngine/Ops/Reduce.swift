/// Reductions and shape ops, each with its backward.

/// Sum of all elements (a scalar).
public func sum(_ x: Tensor) -> Tensor {
    var s: Float = 0
    x.withData { for v in $0 { s += v } }
    return Tape.record(Tensor(s), inputs: [x]) { g in [Tensor(shape: x.shape, repeating: g.scalar)] }
}

/// Mean of all elements (a scalar).
public func mean(_ x: Tensor) -> Tensor {
    let n = Float(Swift.max(x.count, 1))
    var s: Float = 0
    x.withData { for v in $0 { s += v } }
    return Tape.record(Tensor(s / n), inputs: [x]) { g in [Tensor(shape: x.shape, repeating: g.scalar / n)] }
}

/// Sum over `axis` (negative counts from the end), optionally keeping it as size 1.
public func sum(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let ax = axis < 0 ? axis + x.rank : axis
    precondition(ax >= 0 && ax < x.rank, "axis \(axis) out of range for \(x.shape)")
    let outer = x.shape[..<ax].reduce(1, *), n = x.shape[ax], inner = x.shape[(ax + 1)...].reduce(1, *)
    var kept = x.shape; kept[ax] = 1
    var out = Tensor(shape: kept)
    let px = x.pointer, po = out.freshPointer
    for o in 0..<outer { for k in 0..<n { for i in 0..<inner { po[o * inner + i] += px[(o * n + k) * inner + i] } } }
    if !keepDims { kept.remove(at: ax); out = out.viewed(as: kept) }
    let xs = x.shape
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: xs)
        let pg = g.pointer, pd = gx.freshPointer
        for o in 0..<outer { for k in 0..<n { for i in 0..<inner { pd[(o * n + k) * inner + i] = pg[o * inner + i] } } }
        return [gx]
    }
}

/// Mean over `axis`.
public func mean(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let ax = axis < 0 ? axis + x.rank : axis
    return sum(x, axis: axis, keepDims: keepDims) * (1 / Float(Swift.max(x.shape[ax], 1)))
}

/// The same values with another shape of equal element count.
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    let xs = x.shape
    return Tape.record(x.viewed(as: shape), inputs: [x]) { g in [g.viewed(as: xs)] }
}

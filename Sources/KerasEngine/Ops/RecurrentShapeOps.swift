/// Small differentiable data-movement ops around the recurrent kernels: reading outputs
/// out of the packed states of `recurrentSequence`, flipping time, slicing and
/// concatenating the feature axis, and the masked mean over time.

/// Row block `[offset, offset + width)` of state slot `slot` of packed states
/// (slots, b, S): (b, width). Backward scatters into a zero gradient.
public func stateSlot(_ states: Tensor, slot: Int, offset: Int, width: Int) -> Tensor {
    precondition(states.rank == 3 && slot < states.shape[0] && offset + width <= states.shape[2], "stateSlot: \(states.shape)")
    let b = states.shape[1], S = states.shape[2]
    var out = Tensor(uninitializedShape: [b, width])
    let src = states.pointer + slot * b * S + offset, po = out.freshPointer
    for bi in 0..<b { for j in 0..<width { po[bi * width + j] = src[bi * S + j] } }
    let shape = states.shape
    return Tape.record(out, inputs: [states]) { g in
        var gs = Tensor(shape: shape)
        let dst = gs.freshPointer + slot * b * S + offset, pg = g.pointer
        for bi in 0..<b { for j in 0..<width { dst[bi * S + j] = pg[bi * width + j] } }
        return [gs]
    }
}

/// The h block of state slots 1…T of packed states (T+1, b, S) as (b, T, width), in
/// processing order. With `zeroMask` (b, T) (original time order, reversed along with
/// the steps when `goBackwards`), masked steps read 0 (Keras zero_output_for_mask).
public func stateSequence(_ states: Tensor, width: Int, zeroMask: Tensor? = nil, goBackwards: Bool = false) -> Tensor {
    precondition(states.rank == 3 && width <= states.shape[2], "stateSequence: \(states.shape)")
    let T = states.shape[0] - 1, b = states.shape[1], S = states.shape[2]
    var keep = [Float](repeating: 1, count: b * T)
    if let m = zeroMask {
        let pm = m.pointer
        for bi in 0..<b { for s in 0..<T { keep[bi * T + s] = pm[bi * T + (goBackwards ? T - 1 - s : s)] == 0 ? 0 : 1 } }
    }
    var out = Tensor(uninitializedShape: [b, T, width])
    let src = states.pointer, po = out.freshPointer
    for bi in 0..<b {
        for s in 0..<T {
            let k = keep[bi * T + s], from = src + ((s + 1) * b + bi) * S, to = po + (bi * T + s) * width
            for j in 0..<width { to[j] = from[j] * k }
        }
    }
    let shape = states.shape
    return Tape.record(out, inputs: [states]) { g in
        var gs = Tensor(shape: shape)
        let dst = gs.freshPointer, pg = g.pointer
        for bi in 0..<b {
            for s in 0..<T {
                let k = keep[bi * T + s], to = dst + ((s + 1) * b + bi) * S, from = pg + (bi * T + s) * width
                for j in 0..<width { to[j] = from[j] * k }
            }
        }
        return [gs]
    }
}

/// Swaps the first two axes: (b, T, f…) ↔ (T, b, f…). The recurrent layers feed their
/// sequence op time-major, so each step's rows are contiguous.
public func swapBatchTime(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 2, "swapBatchTime: \(x.shape)")
    let d0 = x.shape[0], d1 = x.shape[1], f = x.count / Swift.max(d0 * d1, 1)
    func swap(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ d0: Int, _ d1: Int) {
        for i in 0..<d0 { for j in 0..<d1 { (dst + (j * d0 + i) * f).update(from: src + (i * d1 + j) * f, count: f) } }
    }
    var shape = x.shape
    shape.swapAt(0, 1)
    var out = Tensor(uninitializedShape: shape)
    swap(x.pointer, out.freshPointer, d0, d1)
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: x.shape)
        swap(g.pointer, gx.freshPointer, d1, d0)
        return [gx]
    }
}

/// Flips axis 1 of (b, T, ...) (Keras ops.flip(x, axis=1)).
public func reverseTime(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 2, "reverseTime: \(x.shape)")
    let b = x.shape[0], T = x.shape[1], f = x.count / Swift.max(b * T, 1)
    func flip(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        for bi in 0..<b { for t in 0..<T { (dst + (bi * T + T - 1 - t) * f).update(from: src + (bi * T + t) * f, count: f) } }
    }
    var out = Tensor(uninitializedShape: x.shape)
    flip(x.pointer, out.freshPointer)
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: g.shape)
        flip(g.pointer, gx.freshPointer)
        return [gx]
    }
}


/// Columns `[start, start + count)` of the last axis.
public func sliceLastAxis(_ x: Tensor, start: Int, count: Int) -> Tensor {
    let n = x.shape.last ?? 1
    precondition(start >= 0 && start + count <= n, "sliceLastAxis: [\(start), \(start + count)) of \(x.shape)")
    let rows = x.count / Swift.max(n, 1)
    var shape = x.shape; shape[shape.count - 1] = count
    var out = Tensor(uninitializedShape: shape)
    let px = x.pointer, po = out.freshPointer
    for r in 0..<rows { (po + r * count).update(from: px + r * n + start, count: count) }
    let xs = x.shape
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(shape: xs)
        let pd = gx.freshPointer, pg = g.pointer
        for r in 0..<rows { (pd + r * n + start).update(from: pg + r * count, count: count) }
        return [gx]
    }
}

/// Mean over axis 1 of (b, T, f) counting only steps whose `mask` (b, T) is non-zero
/// (Keras GlobalAveragePooling1D with a mask: sum(x·m) / sum(m)).
public func maskedMeanOverTime(_ x: Tensor, mask: Tensor) -> Tensor {
    precondition(x.rank == 3 && mask.count == x.shape[0] * x.shape[1], "maskedMeanOverTime: \(x.shape), mask \(mask.shape)")
    let b = x.shape[0], T = x.shape[1], f = x.shape[2]
    var weights = [Float](repeating: 0, count: b * T)
    let pm = mask.pointer
    for bi in 0..<b {
        var n: Float = 0
        for t in 0..<T where pm[bi * T + t] != 0 { n += 1 }
        for t in 0..<T where pm[bi * T + t] != 0 { weights[bi * T + t] = 1 / n }
    }
    var out = Tensor(shape: [b, f])
    let px = x.pointer, po = out.freshPointer
    for bi in 0..<b { for t in 0..<T { let w = weights[bi * T + t]; if w == 0 { continue }
        for j in 0..<f { po[bi * f + j] += w * px[(bi * T + t) * f + j] } } }
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: [b, T, f])
        let pd = gx.freshPointer, pg = g.pointer
        for bi in 0..<b { for t in 0..<T { let w = weights[bi * T + t]
            for j in 0..<f { pd[(bi * T + t) * f + j] = w * pg[bi * f + j] } } }
        return [gx]
    }
}

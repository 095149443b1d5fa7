/// Concatenation of tensors along `axis` (of the full shape), differentiable.
public func concatenate(_ xs: [Tensor], axis: Int) -> Tensor {
    precondition(!xs.isEmpty && axis >= 0 && axis < xs[0].rank, "concatenate: axis \(axis) of \(xs.map(\.shape))")
    let shape0 = xs[0].shape
    let outer = shape0[..<axis].reduce(1, *), inner = shape0[(axis + 1)...].reduce(1, *)
    let chunks = xs.map { $0.shape[axis] * inner }
    let row = chunks.reduce(0, +)
    var outShape = shape0
    outShape[axis] = row / Swift.max(inner, 1)
    let out = Tensor(uninitializedShape: outShape)
    let po = out.freshPointer
    var offset = 0
    for (x, c) in zip(xs, chunks) {
        let px = x.pointer
        for o in 0..<outer { (po + o * row + offset).update(from: px + o * c, count: c) }
        offset += c
    }
    let tracked = xs.map(\.isTracked), shapes = xs.map(\.shape)
    return Tape.record(out, inputs: xs) { g in
        let pg = g.pointer
        var offset = 0
        var grads: [Tensor?] = []
        for (k, c) in chunks.enumerated() {
            defer { offset += c }
            guard tracked[k] else { grads.append(nil); continue }
            let gx = Tensor(uninitializedShape: shapes[k])
            let pd = gx.freshPointer
            for o in 0..<outer { (pd + o * c).update(from: pg + o * row + offset, count: c) }
            grads.append(gx)
        }
        return grads
    }
}

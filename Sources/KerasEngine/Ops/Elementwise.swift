/// Elementwise ops with NumPy broadcasting, each with its backward beside it.

/// A binary op: `f` computes the value, `da`/`db` the partial derivatives at (a, b).
@inline(__always)
func binaryOp(_ a: Tensor, _ b: Tensor,
              _ f: @escaping (Float, Float) -> Float,
              _ da: @escaping (Float, Float) -> Float,
              _ db: @escaping (Float, Float) -> Float) -> Tensor {
    guard let outShape = Broadcast.shape(a.shape, b.shape) else {
        preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    var out = Tensor(uninitializedShape: outShape)
    let pa = a.pointer, pb = b.pointer, po = out.freshPointer
    if a.shape == b.shape {
        ParallelBatch.elementwise(out.count) { r in for i in r { po[i] = f(pa[i], pb[i]) } }
    } else if b.count == 1 {
        let s = pb[0]
        ParallelBatch.elementwise(out.count) { r in for i in r { po[i] = f(pa[i], s) } }
    } else if let last = outShape.last, last > 1, a.shape.count == outShape.count, b.shape.count == outShape.count,
              a.shape.last == last, b.shape.last == last {
        // Both operands run along the last axis (a squeeze-and-excite scale (N,1,1,C)
        // times (N,H,W,C), a per-channel bias): row by row, each row's operand offsets
        // found once, the inner loop contiguous; rows split over the threads.
        let sa = Broadcast.strides(of: a.shape, in: outShape), sb = Broadcast.strides(of: b.shape, in: outShape)
        let outer = Array(outShape.dropLast()), rows = out.count / last
        ParallelBatch.elementwise(lines: rows, length: last) { range in
            for row in range {
                var rest = row, ia = 0, ib = 0
                for axis in stride(from: outer.count - 1, through: 0, by: -1) {
                    let k = rest % outer[axis]
                    rest /= outer[axis]
                    ia += k * sa[axis]
                    ib += k * sb[axis]
                }
                let o = po + row * last, ra = pa + ia, rb = pb + ib
                for j in 0..<last { o[j] = f(ra[j], rb[j]) }
            }
        }
    } else {
        Broadcast.forEach(outShape, Broadcast.strides(of: a.shape, in: outShape), Broadcast.strides(of: b.shape, in: outShape)) { o, ia, ib in
            po[o] = f(pa[ia], pb[ib])
        }
    }
    let (ta, tb) = (a.isTracked, b.isTracked)
    return Tape.record(out, inputs: [a, b]) { g in
        let pg = g.pointer, n = g.count
        if a.shape == b.shape {
            // Same shapes (dropout masks, merges): straight loops, no index arithmetic.
            var ga: Tensor?, gb: Tensor?
            if ta { ga = Tensor(uninitializedShape: outShape); let d = ga!.freshPointer; ParallelBatch.elementwise(n) { r in for i in r { d[i] = pg[i] * da(pa[i], pb[i]) } } }
            if tb { gb = Tensor(uninitializedShape: outShape); let d = gb!.freshPointer; ParallelBatch.elementwise(n) { r in for i in r { d[i] = pg[i] * db(pa[i], pb[i]) } } }
            withExtendedLifetime(g) {}
            return [ga, gb]
        }
        let sa = Broadcast.strides(of: a.shape, in: outShape), sb = Broadcast.strides(of: b.shape, in: outShape)
        var ga: Tensor? = ta ? Tensor(uninitializedShape: outShape) : nil
        var gb: Tensor? = tb ? Tensor(uninitializedShape: outShape) : nil
        let pga = ga?.freshPointer, pgb = gb?.freshPointer
        Broadcast.forEach(outShape, sa, sb) { o, ia, ib in
            pga?[o] = pg[o] * da(pa[ia], pb[ib])
            pgb?[o] = pg[o] * db(pa[ia], pb[ib])
        }
        ga = ga?.sumToShape(a.shape); gb = gb?.sumToShape(b.shape)
        return [ga, gb]
    }
}

public func + (a: Tensor, b: Tensor) -> Tensor { binaryOp(a, b, { $0 + $1 }, { _, _ in 1 }, { _, _ in 1 }) }
public func - (a: Tensor, b: Tensor) -> Tensor { binaryOp(a, b, { $0 - $1 }, { _, _ in 1 }, { _, _ in -1 }) }
public func * (a: Tensor, b: Tensor) -> Tensor {
    guard a.shape == b.shape else { return binaryOp(a, b, { $0 * $1 }, { _, y in y }, { x, _ in x }) }
    // Same shapes (dropout masks, gates, merges): plain loops the compiler vectorizes,
    // rather than the general op's per-element closure calls.
    let n = a.count
    var out = Tensor(uninitializedShape: a.shape)
    let pa = a.pointer, pb = b.pointer, po = out.freshPointer
    ParallelBatch.elementwise(n) { r in for i in r { po[i] = pa[i] * pb[i] } }
    let (ta, tb) = (a.isTracked, b.isTracked)
    return Tape.record(out, inputs: [a, b]) { g in
        // The operands are read through the captured tensors, which keeps them alive.
        let pg = g.pointer
        func times(_ other: Tensor) -> Tensor {
            var d = Tensor(uninitializedShape: other.shape)
            let pd = d.freshPointer, po = other.pointer
            ParallelBatch.elementwise(n) { r in for i in r { pd[i] = pg[i] * po[i] } }
            return withExtendedLifetime(other) { d }
        }
        return [ta ? times(b) : nil, tb ? times(a) : nil]
    }
}
public func / (a: Tensor, b: Tensor) -> Tensor { binaryOp(a, b, { $0 / $1 }, { _, y in 1 / y }, { x, y in -x / (y * y) }) }
public func * (a: Tensor, s: Float) -> Tensor { a * Tensor(s) }
public func * (s: Float, a: Tensor) -> Tensor { a * Tensor(s) }
public func + (a: Tensor, s: Float) -> Tensor { a + Tensor(s) }
public func - (a: Tensor, s: Float) -> Tensor { a - Tensor(s) }
public prefix func - (a: Tensor) -> Tensor { a * Tensor(-1) }

/// Elementwise maximum (gradient goes to `a` where a >= b, as Keras/TF).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    binaryOp(a, b, { Swift.max($0, $1) }, { x, y in x >= y ? 1 : 0 }, { x, y in x >= y ? 0 : 1 })
}
/// Elementwise minimum (gradient goes to `a` where a <= b).
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    binaryOp(a, b, { Swift.min($0, $1) }, { x, y in x <= y ? 1 : 0 }, { x, y in x <= y ? 0 : 1 })
}

/// A unary op: `f` computes y from x, `df` the derivative dy/dx given (x, y).
@inline(__always)
public func unaryOp(_ x: Tensor, _ f: (Float) -> Float, _ df: @escaping (Float, Float) -> Float) -> Tensor {
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, po = out.freshPointer
    // Split over the threads from a few thousand values: most unary ops here call
    // expf/tanhf/erff, so they are compute-bound (EfficientNet's swish was a quarter of
    // its inference time on one thread). Each value is computed alone: same results.
    ParallelBatch.elementwise(x.count, minimum: ParallelBatch.computeMinimum) { r in
        for i in r { po[i] = f(px[i]) }
    }
    let y = out
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: x.shape)
        let pg = g.pointer, py = y.pointer, pd = gx.freshPointer
        ParallelBatch.elementwise(x.count, minimum: ParallelBatch.computeMinimum) { r in
            for i in r { pd[i] = pg[i] * df(px[i], py[i]) }
        }
        return [gx]
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

public func exp(_ x: Tensor) -> Tensor { unaryOp(x, { Glibc.expf($0) }, { _, y in y }) }
public func log(_ x: Tensor) -> Tensor { unaryOp(x, { Glibc.logf($0) }, { x, _ in 1 / x }) }
public func sqrt(_ x: Tensor) -> Tensor { unaryOp(x, { $0.squareRoot() }, { _, y in 0.5 / y }) }
public func square(_ x: Tensor) -> Tensor { unaryOp(x, { $0 * $0 }, { x, _ in 2 * x }) }
public func abs(_ x: Tensor) -> Tensor { unaryOp(x, { Swift.abs($0) }, { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
/// Clips to [lo, hi]; the gradient is zero outside (as Keras's clip).
public func clip(_ x: Tensor, _ lo: Float, _ hi: Float) -> Tensor {
    unaryOp(x, { Swift.min(Swift.max($0, lo), hi) }, { x, _ in (x >= lo && x <= hi) ? 1 : 0 })
}

/// Keras `Dot(axes, normalize=False)`: the dot product of two inputs along one axis of
/// each, per example: `y[b, i…, j…] = Σₖ x₁[b, i…, k] · x₂[b, k, j…]` with `k` on
/// `axes[0]` of `x₁` and `axes[1]` of `x₂` (axes count the batch axis 0, which cannot be
/// contracted; negative axes count from the end). With `normalize`, each input is first
/// L2-normalized along its axis, so the result is the cosine similarity.
/// The output shape is `x₁`'s remaining axes then `x₂`'s, or `(1,)` if none remain.
public final class Dot: Layer {
    public struct Config {
        /// One axis for both inputs, or one per input.
        public var axes: [Int]
        public var normalize = false
        public init(axes: [Int], normalize: Bool = false) { self.axes = axes; self.normalize = normalize }
    }

    public var name: String
    public let config: Config
    public init(_ config: Config, name: String = "dot") {
        precondition(config.axes.count == 1 || config.axes.count == 2, "Dot axes must hold one or two integers")
        self.config = config; self.name = name
    }
    public convenience init(axes: Int, normalize: Bool = false, name: String = "dot") {
        self.init(Config(axes: [axes], normalize: normalize), name: name)
    }
    public convenience init(axes: (Int, Int), normalize: Bool = false, name: String = "dot") {
        self.init(Config(axes: [axes.0, axes.1], normalize: normalize), name: name)
    }

    public var parameters: [Parameter] { [] }

    /// The contracted axes on full shapes (batch included) of ranks `r1`, `r2`.
    func resolvedAxes(_ r1: Int, _ r2: Int) -> (Int, Int) {
        let a = config.axes[0], b = config.axes.count == 2 ? config.axes[1] : config.axes[0]
        func norm(_ x: Int, _ r: Int) -> Int { x < 0 ? ((x % r) + r) % r : x }
        return (norm(a, r1), norm(b, r2))
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes.count == 2 else {
            throw ShapeError(layer: name, "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=[\(inputShapes.map(kerasShape).joined(separator: ", "))]")
        }
        let s1 = [-1] + inputShapes[0], s2 = [-1] + inputShapes[1]
        let (a1, a2) = resolvedAxes(s1.count, s2.count)
        guard a1 >= 1, a2 >= 1, a1 < s1.count, a2 < s2.count else {
            throw ShapeError(layer: name, "axes \(config.axes) do not fit input shapes \(kerasShape(inputShapes[0])) and \(kerasShape(inputShapes[1])) (axis 0 is the batch axis)")
        }
        guard s1[a1] == s2[a2] else {
            throw ShapeError(layer: name, "Incompatible input shapes: axis values \(s1[a1]) (at axis \(a1)) != \(s2[a2]) (at axis \(a2)). Full input shapes: \(kerasShape(inputShapes[0])), \(kerasShape(inputShapes[1]))")
        }
        var out = Array(s1.dropFirst()); out.remove(at: a1 - 1)
        var rest2 = Array(s2.dropFirst()); rest2.remove(at: a2 - 1)
        out += rest2
        return [out.isEmpty ? [1] : out]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        var x = inputs[0], y = inputs[1]
        let (a1, a2) = resolvedAxes(x.rank, y.rank)
        if config.normalize { x = l2Normalize(x, axis: a1); y = l2Normalize(y, axis: a2) }
        return [batchDot(x, y, axes: (a1, a2))]
    }
}

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

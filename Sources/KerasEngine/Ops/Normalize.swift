#if canImport(Glibc)
import Glibc
#endif

/// Fused normalization ops (batch and layer normalization), each with its backward.

/// Batch normalization with batch statistics over every axis but the last (C channels):
///
///     μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β
///
/// Returns y and the batch mean and (biased) variance. `gamma`/`beta` may be nil
/// (scale/center off). Backward: dx = (γ/√(σ²+ε))·(dy − mean(dy) − x̂·mean(dy·x̂)),
/// dγ = Σ dy·x̂, dβ = Σ dy.
public func batchNormTraining(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float)
    -> (output: Tensor, mean: [Float], variance: [Float]) {
    let C = x.shape[x.rank - 1], R = x.count / Swift.max(C, 1)
    let px = x.pointer
    let rowsOver = RowChunks(rows: R, width: C)
    // Statistics in Double, two passes (mean, then squared deviations), per-chunk partial sums.
    let mean = rowsOver.sums { rows, acc in
        for r in rows { let row = px + r * C; for c in 0..<C { acc[c] += Double(row[c]) } }
    }.map { $0 / Double(Swift.max(R, 1)) }
    let varc = mean.withUnsafeBufferPointer { mu in
        rowsOver.sums { rows, acc in
            for r in rows { let row = px + r * C; for c in 0..<C { let d = Double(row[c]) - mu[c]; acc[c] += d * d } }
        }.map { $0 / Double(Swift.max(R, 1)) }
    }
    let m = mean.map(Float.init), v = varc.map(Float.init)
    let inv = varc.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
    let (out, inputs, a) = normalized(x, mean: m, inverseStd: inv, gamma: gamma, beta: beta)
    let (tx, tg, tb) = (x.isTracked, gamma?.isTracked ?? false, beta?.isTracked ?? false)
    let y = Tape.record(out, inputs: inputs) { dy in
        let pg = dy.pointer
        // Σ dy and Σ dy·x̂ per channel (x̂ = (x − μ)·inv), per-chunk partial sums.
        let both = m.withUnsafeBufferPointer { mu in
            inv.withUnsafeBufferPointer { iv in
                rowsOver.sums(width: 2 * C) { rows, acc in
                    for r in rows {
                        let row = px + r * C, g = pg + r * C
                        for c in 0..<C { acc[c] += Double(g[c]); acc[C + c] += Double(g[c] * (row[c] - mu[c]) * iv[c]) }
                    }
                }
            }
        }
        let sumG = both[..<C].map(Float.init), sumGX = both[C...].map(Float.init)
        var grads: [Tensor?] = [nil]
        if tx {
            var gx = Tensor(uninitializedShape: x.shape)
            let pd = gx.freshPointer, invR = 1 / Float(Swift.max(R, 1))
            // dx = a·(dy − mean(dy) − (x − μ)·b) with a = γ·inv, b = inv·mean(dy·x̂).
            let mg = sumG.map { $0 * invR }, b = (0..<C).map { inv[$0] * sumGX[$0] * invR }
            a.withUnsafeBufferPointer { a in mg.withUnsafeBufferPointer { mg in b.withUnsafeBufferPointer { b in
                m.withUnsafeBufferPointer { mu in
                    rowsOver.each { rows in
                        for r in rows {
                            let row = px + r * C, g = pg + r * C, d = pd + r * C
                            for c in 0..<C { d[c] = a[c] * (g[c] - mg[c] - (row[c] - mu[c]) * b[c]) }
                        }
                    }
                }
            } } }
            grads[0] = gx
        }
        if gamma != nil { grads.append(tg ? Tensor(shape: [C], data: sumGX) : nil) }
        if beta != nil { grads.append(tb ? Tensor(shape: [C], data: sumG) : nil) }
        return grads
    }
    return (y, m, v)
}

/// The rows of a (rows, width) pass cut into one chunk per thread when the pass is large
/// (`ParallelBatch.elementwiseMinimum` values), else one chunk: `each` runs a body per chunk, `sums` also gives each
/// chunk its own zeroed Double accumulators and adds them up.
struct RowChunks {
    let rows: Int, width: Int
    var count: Int {
        rows * width >= ParallelBatch.elementwiseMinimum ? Swift.max(1, Swift.min(ParallelBatch.threads, rows)) : 1
    }

    func each(_ body: (Range<Int>) -> Void) {
        let n = count
        if n > 1 { ParallelBatch.run(rows, chunks: n) { _, r in body(r) } } else { body(0..<rows) }
    }

    func sums(width w: Int? = nil, _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let w = w ?? width, n = count
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(n * w, 1))
        defer { acc.deallocate() }
        acc.initialize(repeating: 0, count: n * w)
        if n > 1 { ParallelBatch.run(rows, chunks: n) { c, r in body(r, acc + c * w) } } else { body(0..<rows, acc) }
        var total = [Double](repeating: 0, count: w)
        for c in 0..<n { for j in 0..<w { total[j] += acc[c * w + j] } }
        return total
    }
}

/// The batch-norm forward pass shared by training and inference: y = x·scale + shift per
/// channel with scale = γ·inv, shift = β − μ·γ·inv (rows split over the threads when
/// large); also returns the op's inputs [x, γ?, β?] and `scale` (dy·scale is dx's first term).
func normalized(_ x: Tensor, mean m: [Float], inverseStd inv: [Float], gamma: Tensor?, beta: Tensor?,
                post: OneDNN.PostOp = .none) -> (output: Tensor, inputs: [Tensor], scale: [Float]) {
    let C = x.shape[x.rank - 1], R = x.count / Swift.max(C, 1)
    let gam = gamma?.scalars ?? [Float](repeating: 1, count: C), bet = beta?.scalars ?? [Float](repeating: 0, count: C)
    let scale = (0..<C).map { gam[$0] * inv[$0] }, shift = (0..<C).map { bet[$0] - m[$0] * gam[$0] * inv[$0] }
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, po = out.freshPointer
    scale.withUnsafeBufferPointer { sc in
        shift.withUnsafeBufferPointer { sh in
            RowChunks(rows: R, width: C).each { rows in
                switch post {  // an activation in the same pass (inference chains: BatchNormalization → ReLU)
                case .none:
                    for r in rows { let row = px + r * C, o = po + r * C; for c in 0..<C { o[c] = row[c] * sc[c] + sh[c] } }
                case .relu:
                    for r in rows { let row = px + r * C, o = po + r * C; for c in 0..<C { o[c] = Swift.max(row[c] * sc[c] + sh[c], 0) } }
                case let .clip(low, high):
                    for r in rows {
                        let row = px + r * C, o = po + r * C
                        for c in 0..<C { o[c] = Swift.min(Swift.max(row[c] * sc[c] + sh[c], low), high) }
                    }
                case .swish:
                    for r in rows {
                        let row = px + r * C, o = po + r * C
                        for c in 0..<C { let v = row[c] * sc[c] + sh[c]; o[c] = v / (1 + expf(-v)) }
                    }
                }
            }
        }
    }
    return (out, [x] + [gamma, beta].compactMap { $0 }, scale)
}

/// 1/√(variance + ε) per channel: batch normalization's scale before γ.
func inverseStd(_ variance: Tensor, _ epsilon: Float) -> [Float] {
    variance.withData { v in v.map { 1 / ($0 + epsilon).squareRoot() } }
}

/// Batch normalization with fixed statistics followed by `post`, in one pass and without a
/// tape (inference chains, ``NormalizationChain``).
func batchNormInference(_ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float,
                        post: OneDNN.PostOp) -> Tensor {
    normalized(x, mean: mean.scalars, inverseStd: inverseStd(variance, epsilon), gamma: gamma, beta: beta, post: post).output
}

/// Batch normalization with fixed statistics (inference): y = γ·(x − μ)/√(σ² + ε) + β.
/// Gradients flow to x, γ and β (not to the statistics).
public func batchNormInference(_ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?,
                               epsilon: Float) -> Tensor {
    let C = x.shape[x.rank - 1], R = x.count / Swift.max(C, 1)
    let inv = inverseStd(variance, epsilon)
    let m = mean.scalars
    let (out, inputs, scale) = normalized(x, mean: m, inverseStd: inv, gamma: gamma, beta: beta)
    let px = x.pointer
    let (tx, tg, tb) = (x.isTracked, gamma?.isTracked ?? false, beta?.isTracked ?? false)
    return Tape.record(out, inputs: inputs) { dy in
        let pg = dy.pointer
        var grads: [Tensor?] = [nil]
        if tx {
            var gx = Tensor(uninitializedShape: x.shape)
            let pd = gx.freshPointer
            for r in 0..<R { let g = pg + r * C, d = pd + r * C; for c in 0..<C { d[c] = g[c] * scale[c] } }
            grads[0] = gx
        }
        if gamma != nil || beta != nil {
            var sumG = [Float](repeating: 0, count: C), sumGX = [Float](repeating: 0, count: C)
            for r in 0..<R {
                let row = px + r * C, g = pg + r * C
                for c in 0..<C { sumG[c] += g[c]; sumGX[c] += g[c] * (row[c] - m[c]) * inv[c] }
            }
            if gamma != nil { grads.append(tg ? Tensor(shape: [C], data: sumGX) : nil) }
            if beta != nil { grads.append(tb ? Tensor(shape: [C], data: sumG) : nil) }
        }
        return grads
    }
}

/// Layer normalization over the trailing `D` values of each row:
///
///     x̂ = (x − mean)/√(var + ε), y = γ·x̂ + β      (γ, β of D values, optional)
///
/// Backward: dx = (1/√(var+ε))·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = γ·dy.
///
/// With `rms` (Keras's `rms_scaling`), `y = γ·x/√(var + ε)`: the input is scaled, not
/// centred (the variance still is, as Keras computes it); then
/// dx = inv·(ĝ − inv²·(x − mean)·mean(ĝ·x)) with inv = 1/√(var+ε).
public func layerNorm(_ x: Tensor, normalizedCount D: Int, gamma: Tensor?, beta: Tensor?, epsilon: Float, rms: Bool = false) -> Tensor {
    let R = x.count / Swift.max(D, 1)
    let px = x.pointer
    var means = [Float](repeating: 0, count: R), invs = [Float](repeating: 0, count: R)
    var out = Tensor(uninitializedShape: x.shape)
    let po = out.freshPointer
    let pgam = gamma?.pointer, pbet = beta?.pointer
    for r in 0..<R {
        let row = px + r * D, o = po + r * D
        var s = 0.0
        for j in 0..<D { s += Double(row[j]) }
        let mu = s / Double(Swift.max(D, 1))
        var v = 0.0
        for j in 0..<D { let d = Double(row[j]) - mu; v += d * d }
        let inv = Float(1 / (v / Double(Swift.max(D, 1)) + Double(epsilon)).squareRoot())
        let m = Float(mu)
        means[r] = m; invs[r] = inv
        let shift = rms ? 0 : m
        for j in 0..<D {
            var y = (row[j] - shift) * inv
            if let pgam { y *= pgam[j] }
            if let pbet { y += pbet[j] }
            o[j] = y
        }
    }
    var inputs = [x]
    if let gamma { inputs.append(gamma) }
    if let beta { inputs.append(beta) }
    let (tx, tg, tb) = (x.isTracked, gamma?.isTracked ?? false, beta?.isTracked ?? false)
    return Tape.record(out, inputs: inputs) { dy in
        let pg = dy.pointer
        var gx: Tensor? = tx ? Tensor(uninitializedShape: x.shape) : nil
        var ggam = [Float](repeating: 0, count: D), gbet = [Float](repeating: 0, count: D)
        let pd = gx?.freshPointer
        var gh = [Float](repeating: 0, count: D)
        for r in 0..<R {
            let row = px + r * D, g = pg + r * D, m = means[r], inv = invs[r]
            let shift = rms ? 0 : m
            var sg: Float = 0, sgx: Float = 0
            for j in 0..<D {
                let xh = (row[j] - shift) * inv
                ggam[j] += g[j] * xh; gbet[j] += g[j]
                let h = g[j] * (pgam?[j] ?? 1)
                gh[j] = h; sg += h; sgx += h * xh
            }
            if rms, let pd {
                // sgx = inv·Σ ĝ·x, so inv²·(x − mean)·mean(ĝ·x) = inv·(x − mean)·sgx/D.
                let invD = 1 / Float(Swift.max(D, 1))
                for j in 0..<D { pd[r * D + j] = inv * (gh[j] - inv * (row[j] - m) * sgx * invD) }
            } else if let pd {
                let invD = 1 / Float(Swift.max(D, 1))
                for j in 0..<D { pd[r * D + j] = inv * (gh[j] - sg * invD - (row[j] - m) * inv * sgx * invD) }
            }
        }
        var grads: [Tensor?] = [gx]
        if let gamma { grads.append(tg ? Tensor(shape: gamma.shape, data: ggam) : nil) }
        if let beta { grads.append(tb ? Tensor(shape: beta.shape, data: gbet) : nil) }
        return grads
    }
}

/// L2 normalization of the trailing `D` values of each row, as Keras's
/// `ops.normalize(order=2)`: `y = x·inv` with `inv = min(1/√Σx², 1/ε)`.
/// Backward: dx = inv·(g − y·Σ g·y), or inv·g where inv is clipped (a row of zeros).
public func l2Normalize(_ x: Tensor, normalizedCount D: Int, epsilon: Float) -> Tensor {
    let R = x.count / Swift.max(D, 1), cap = 1 / Double(epsilon)
    let px = x.pointer
    var invs = [Float](repeating: 0, count: R), clipped = [Bool](repeating: false, count: R)
    let out = Tensor(uninitializedShape: x.shape)
    let po = out.freshPointer
    for r in 0..<R {
        var s = 0.0
        for j in 0..<D { let v = Double(px[r * D + j]); s += v * v }
        let inv = s > 0 ? 1 / s.squareRoot() : .infinity
        clipped[r] = inv >= cap
        invs[r] = Float(Swift.min(inv, cap))
        for j in 0..<D { po[r * D + j] = px[r * D + j] * invs[r] }
    }
    return Tape.record(out, inputs: [x]) { dy in
        let pg = dy.pointer, py = out.pointer
        let gx = Tensor(uninitializedShape: x.shape)
        let pd = gx.freshPointer
        for r in 0..<R {
            var dot: Float = 0
            if !clipped[r] { for j in 0..<D { dot += pg[r * D + j] * py[r * D + j] } }
            for j in 0..<D { pd[r * D + j] = invs[r] * (pg[r * D + j] - py[r * D + j] * dot) }
        }
        return [gx]
    }
}

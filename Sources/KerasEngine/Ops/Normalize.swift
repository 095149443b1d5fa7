import KerasKernels
#if canImport(Glibc)
import Glibc
#endif

/// Fused normalization ops (batch and layer normalization), each with its backward.

/// Batch normalization with batch statistics over every axis but the last (C channels):
///
///     μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β
///
/// Returns y and the batch mean and (biased) variance. `gamma`/`beta` may be nil
/// (scale/center off). `post` (`.relu` or `.clip`, a following ReLU layer in training) is
/// applied in the same pass and its mask to dy in the backward's. Backward, with dz = dy
/// masked by `post`: dx = (γ/√(σ²+ε))·(dz − mean(dz) − x̂·mean(dz·x̂)), dγ = Σ dz·x̂, dβ = Σ dz.
public func batchNormTraining(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float)
    -> (output: Tensor, mean: [Float], variance: [Float]) {
    batchNormTraining(x, gamma: gamma, beta: beta, epsilon: epsilon, post: .none)
}

func batchNormTraining(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float, post: OneDNN.PostOp)
    -> (output: Tensor, mean: [Float], variance: [Float]) {
    let C = x.rank > 0 ? x.shape[x.rank - 1] : 0, R = x.count / Swift.max(C, 1)
    guard C > 0 else { return (x, [], []) }   // no channels: nothing to normalize
    let px = x.pointer
    let rowsOver = RowChunks(rows: R, width: C)
    let (mean, varc) = channelMoments(px, rows: rowsOver)
    let m = mean.map(Float.init), v = varc.map(Float.init)
    let inv = varc.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
    let (out, inputs, a) = normalized(x, mean: m, inverseStd: inv, gamma: gamma, beta: beta, post: post)
    let (tx, tg, tb) = (x.isTracked, gamma?.isTracked ?? false, beta?.isTracked ?? false)
    let y = out
    let recorded = Tape.record(out, inputs: inputs) { dy in
        let pg = dy.pointer, py = y.pointer
        let mask = gradientMask(post)
        // Σ dz and Σ dz·(x − μ) per channel, in Double per chunk.
        let sums = m.withUnsafeBufferPointer { mu in
            rowsOver.sums(width: 2 * C) { rows, acc in
                let o = rows.lowerBound * C
                kk_bn_grad_sums(pg + o, px + o, py + o, mu.baseAddress, rows.count, C, mask, acc, acc + C)
            }
        }
        let sumG = sums[..<C].map(Float.init), sumGX = (0..<C).map { Float(sums[C + $0]) * inv[$0] }   // Σ dz, Σ dz·x̂
        var grads: [Tensor?] = [nil]
        if tx {
            var gx = Tensor(uninitializedShape: x.shape)
            let pd = gx.freshPointer, invR = 1 / Float(Swift.max(R, 1))
            // dx = a·(dz − mean(dz) − (x − μ)·b) with a = γ·inv, b = inv·mean(dz·x̂).
            let mg = sumG.map { $0 * invR }, b = (0..<C).map { inv[$0] * sumGX[$0] * invR }
            a.withUnsafeBufferPointer { a in mg.withUnsafeBufferPointer { mg in b.withUnsafeBufferPointer { b in
                m.withUnsafeBufferPointer { mu in
                    rowsOver.each { rows in
                        let o = rows.lowerBound * C
                        kk_bn_dx(pg + o, px + o, py + o, pd + o, rows.count, C, mask, a.baseAddress, mg.baseAddress,
                                 b.baseAddress, mu.baseAddress)
                    }
                }
            } } }
            grads[0] = gx
        }
        if gamma != nil { grads.append(tg ? Tensor(shape: [C], data: sumGX) : nil) }
        if beta != nil { grads.append(tb ? Tensor(shape: [C], data: sumG) : nil) }
        return grads
    }
    return (recorded, m, v)
}

/// The gradient mask of an activation fused after a training batch normalization, from
/// its output y: ReLU passes dy where y > 0, a clip where low < y < high (as TF's Relu6Grad).
private func gradientMask(_ post: OneDNN.PostOp) -> kk_mask {
    switch post {
    case .relu: kk_mask(kind: 1, low: 0, high: .infinity)
    case let .clip(low, high): kk_mask(kind: 2, low: low, high: high)
    case .none, .swish: kk_mask(kind: 0, low: 0, high: 0)   // swish is not fused in training
    }
}

/// Per-channel mean and biased variance of the (rows, C) values at `px` in one pass over
/// memory (`kk_bn_moments` per chunk: each block of rows gets its exact two-pass mean and
/// squared deviations in cache), chunks combined with Chan's parallel formula, in Double.
private func channelMoments(_ px: UnsafePointer<Float>, rows over: RowChunks) -> (mean: [Double], variance: [Double]) {
    let C = over.width, n = over.count
    // Per chunk: count, mean[C], M2[C].
    let stats = UnsafeMutablePointer<Double>.allocate(capacity: n * (1 + 2 * C))
    defer { stats.deallocate() }
    stats.initialize(repeating: 0, count: n * (1 + 2 * C))
    func body(_ chunk: Int, _ rows: Range<Int>) {
        let st = stats + chunk * (1 + 2 * C)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 24 * C, alignment: 8)
        defer { scratch.deallocate() }
        kk_bn_moments(px + rows.lowerBound * C, rows.count, C, st, st + 1, st + 1 + C, scratch)
    }
    if n > 1 { ParallelBatch.run(over.rows, chunks: n, body) } else { body(0, 0..<over.rows) }
    var count = 0.0
    var mean = [Double](repeating: 0, count: C), m2 = [Double](repeating: 0, count: C)
    for t in 0..<n {
        let st = stats + t * (1 + 2 * C)
        kk_chan_merge(&count, &mean, &m2, st[0], st + 1, st + 1 + C, C)
    }
    let denominator = Swift.max(count, 1)
    return (mean, m2.map { $0 / denominator })
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
                let o = rows.lowerBound * C
                switch post {  // an activation in the same pass (training and inference chains: BatchNormalization → ReLU)
                case .none, .relu:
                    kk_bn_apply(px + o, po + o, rows.count, C, sc.baseAddress, sh.baseAddress, post == .relu ? 1 : 0)
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

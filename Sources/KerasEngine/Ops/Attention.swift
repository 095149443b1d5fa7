#if canImport(Glibc)
import Glibc
#endif

/// Multi-head dot-product attention as two ops on projected tensors laid out as Keras's
/// EinsumDense leaves them, `(batch, steps, heads · depth)` — head `h` is the column block
/// `h·depth ..< (h+1)·depth` of every row, so each head's matrix is read in place with a
/// leading dimension of `heads · depth` (no per-head copies). Every (example, head) pair is
/// one single-threaded GEMM; the pairs run in parallel over `ParallelBatch`.

/// Which (query, key) positions may attend: `keep[(b·tq + i)·tk + j]`; the positions
/// Keras masks get its large negative score (−1e9) before the softmax.
public struct AttentionMask {
    public let keep: [Bool]
    public init(keep: [Bool]) { self.keep = keep }
}

/// Keras's masked score: `where(mask, score, -1e9)` (`_large_negative_number` for float32).
let attentionMaskedScore: Float = -1e9

/// `where(keep, softmax_j(where(keep, scale · q_h[i] · k_h[j], −1e9)), 0)` (Keras's masked
/// `Softmax`; without the outer `where` when not `zeroMasked`) for every example and head:
/// q `(batch, tq, heads·d)`, k `(batch, tk, heads·d)` → `(batch, heads, tq, tk)`.
/// Masking and the softmax run in one pass over each row of scores.
///
/// Backward, per row: `dS = P ⊙ (dP − Σⱼ dP·P)` (zero where masked, as `where` routes no
/// gradient there), then `dq_h = scale·dS·k_h`, `dk_h = scale·dSᵀ·q_h`.
public func attentionScores(_ q: Tensor, _ k: Tensor, heads: Int, scale: Float, mask: AttentionMask?, zeroMasked: Bool = true) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2]
                 && heads > 0 && q.shape[2] % heads == 0, "attentionScores: \(q.shape) · \(k.shape), \(heads) heads")
    let batch = q.shape[0], tq = q.shape[1], tk = k.shape[1], width = q.shape[2], d = width / heads
    precondition(mask.map { $0.keep.count == batch * tq * tk } ?? true, "attentionScores: mask size")
    let out = Tensor(uninitializedShape: [batch, heads, tq, tk])
    let pq = q.pointer, pk = k.pointer, po = out.freshPointer
    let keep = mask?.keep
    ParallelBatch.run(batch * heads, chunks: ParallelBatch.chunks(batch * heads)) { _, pairs in
        for pair in pairs {
            let b = pair / heads, h = pair % heads
            let s = po + pair * tq * tk
            gemm(pq + b * tq * width + h * d, lda: width, pk + b * tk * width + h * d, ldb: width, s, ldc: tk,
                 m: tq, n: tk, k: d, transB: true)
            for i in 0..<tq {
                let row = s + i * tk
                var top = -Float.infinity
                for j in 0..<tk {
                    var v = row[j] * scale
                    if let keep, !keep[(b * tq + i) * tk + j] { v = attentionMaskedScore }
                    row[j] = v
                    top = Swift.max(top, v)
                }
                var total: Float = 0
                for j in 0..<tk { let e = expf(row[j] - top); row[j] = e; total += e }
                let inv = 1 / total
                for j in 0..<tk { row[j] *= inv }
                // Keras's Softmax layer zeroes masked positions after the softmax, so a fully
                // masked row attends to nothing (its fused kernel, `zeroMasked` false, leaves
                // such a row uniform).
                if zeroMasked, let keep { for j in 0..<tk where !keep[(b * tq + i) * tk + j] { row[j] = 0 } }
            }
        }
    }
    let probs = out
    let (tqk, tkk) = (q.isTracked, k.isTracked)
    return Tape.record(out, inputs: [q, k]) { g in
        let gq: Tensor? = tqk ? Tensor(uninitializedShape: q.shape) : nil
        let gk: Tensor? = tkk ? Tensor(uninitializedShape: k.shape) : nil
        let dq = gq?.freshPointer, dk = gk?.freshPointer
        let pg = g.pointer, pp = probs.pointer
        ParallelBatch.run(batch * heads, chunks: ParallelBatch.chunks(batch * heads)) { _, pairs in
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            defer { ds.deallocate() }
            for pair in pairs {
                let b = pair / heads, h = pair % heads
                let p = pp + pair * tq * tk, dp = pg + pair * tq * tk
                for i in 0..<tq {
                    var dot: Float = 0
                    for j in 0..<tk { dot += dp[i * tk + j] * p[i * tk + j] }
                    for j in 0..<tk {
                        let masked = keep.map { !$0[(b * tq + i) * tk + j] } ?? false
                        ds[i * tk + j] = masked ? 0 : scale * p[i * tk + j] * (dp[i * tk + j] - dot)
                    }
                }
                let qh = pq + b * tq * width + h * d, kh = pk + b * tk * width + h * d
                if let dq {
                    gemm(ds, lda: tk, kh, ldb: width, dq + b * tq * width + h * d, ldc: width, m: tq, n: d, k: tk)
                }
                if let dk {
                    gemm(ds, lda: tk, qh, ldb: width, dk + b * tk * width + h * d, ldc: width, m: tk, n: d, k: tq, transA: true)
                }
            }
        }
        return [gq, gk]
    }
}

/// `out_h = P_h · v_h` for every example and head: P `(batch, heads, tq, tk)`, v
/// `(batch, tk, heads·dv)` → `(batch, tq, heads·dv)` (Keras's `"acbe,aecd->abcd"`, heads
/// already merged into the last axis for the output projection).
///
/// Backward: `dP_h = dout_h · v_hᵀ`, `dv_h = P_hᵀ · dout_h`.
public func attentionCombine(_ p: Tensor, _ v: Tensor, heads: Int) -> Tensor {
    precondition(p.rank == 4 && v.rank == 3 && p.shape[0] == v.shape[0] && p.shape[1] == heads && p.shape[3] == v.shape[1]
                 && v.shape[2] % heads == 0, "attentionCombine: \(p.shape) · \(v.shape), \(heads) heads")
    let batch = p.shape[0], tq = p.shape[2], tk = p.shape[3], width = v.shape[2], dv = width / heads
    let out = Tensor(uninitializedShape: [batch, tq, width])
    let pp = p.pointer, pv = v.pointer, po = out.freshPointer
    ParallelBatch.run(batch * heads, chunks: ParallelBatch.chunks(batch * heads)) { _, pairs in
        for pair in pairs {
            let b = pair / heads, h = pair % heads
            gemm(pp + pair * tq * tk, lda: tk, pv + b * tk * width + h * dv, ldb: width, po + b * tq * width + h * dv, ldc: width,
                 m: tq, n: dv, k: tk)
        }
    }
    let (tp, tv) = (p.isTracked, v.isTracked)
    return Tape.record(out, inputs: [p, v]) { g in
        let gp: Tensor? = tp ? Tensor(uninitializedShape: p.shape) : nil
        let gv: Tensor? = tv ? Tensor(uninitializedShape: v.shape) : nil
        let dp = gp?.freshPointer, dvp = gv?.freshPointer, pg = g.pointer
        ParallelBatch.run(batch * heads, chunks: ParallelBatch.chunks(batch * heads)) { _, pairs in
            for pair in pairs {
                let b = pair / heads, h = pair % heads
                let go = pg + b * tq * width + h * dv, vh = pv + b * tk * width + h * dv
                if let dp {
                    gemm(go, lda: width, vh, ldb: width, dp + pair * tq * tk, ldc: tk, m: tq, n: tk, k: dv, transB: true)
                }
                if let dvp {
                    gemm(pp + pair * tq * tk, lda: tk, go, ldb: width, dvp + b * tk * width + h * dv, ldc: width,
                         m: tk, n: dv, k: tq, transA: true)
                }
            }
        }
        return [gp, gv]
    }
}

/// Keras's `ops.repeat(x, repeats, axis=2)` on heads laid out as `(batch, steps,
/// heads·depth)`: head `h` of the result is head `h / repeats` of `x` (grouped-query
/// attention's shared key/value heads). Backward: each source head sums its copies.
public func repeatHeads(_ x: Tensor, heads: Int, repeats: Int) -> Tensor {
    precondition(x.rank == 3 && heads > 0 && repeats > 0 && x.shape[2] % heads == 0, "repeatHeads: \(x.shape), \(heads) heads")
    guard repeats > 1 else { return x }
    let rows = x.shape[0] * x.shape[1], d = x.shape[2] / heads, width = x.shape[2] * repeats
    let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], width])
    let px = x.pointer, po = out.freshPointer
    for r in 0..<rows {
        for h in 0..<(heads * repeats) { (po + r * width + h * d).update(from: px + r * x.shape[2] + (h / repeats) * d, count: d) }
    }
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(shape: x.shape)
        let pg = g.pointer, pd = gx.freshPointer
        for r in 0..<rows {
            for h in 0..<(heads * repeats) {
                let dst = pd + r * x.shape[2] + (h / repeats) * d, src = pg + r * width + h * d
                for j in 0..<d { dst[j] += src[j] }
            }
        }
        return [gx]
    }
}

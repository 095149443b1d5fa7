/// Back-propagation through time for `recurrentSequence`: one reverse loop over the
/// steps, per step a pointwise pass over the stored gate values and one GEMM
/// (dh_{t-1} += da·Uᵀ); the recurrent-kernel gradient is one GEMM over all steps after
/// the loop (per step when recurrent dropout masks are set).
extension RecurrentRun {
    /// `g`: d(loss)/d(states), (T+1, b, S). Returns gradients for (z, U, bias).
    func backward(_ g: Tensor, states: Tensor, store: Tensor) -> [Tensor?] {
        let tz = z.isTracked, tu = u.isTracked, tb = bias?.isTracked ?? false
        var dZ = Tensor(shape: z.shape)
        var dU = Tensor(shape: u.shape)
        var dG = Tensor(uninitializedShape: [T, b, GU])
        let pdZ = dZ.freshPointer, pdU = dU.freshPointer, pdG = dG.freshPointer
        let P = states.pointer, st = store.pointer, pg = g.pointer, pu = u.pointer
        let act = cell.activation, ract = cell.recurrentActivation
        let DG = kind.directGates
        let carryH = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(b * un, 1))
        let carryC = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(b * un, 1))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(b * un, 1))
        let scratch2 = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(b * un, 1))
        let row1 = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(un, 1))
        defer { for p in [carryH, carryC, scratch, scratch2, row1] { p.deallocate() } }
        carryH.initialize(repeating: 0, count: b * un)
        carryC.initialize(repeating: 0, count: b * un)
        let hDrop = dropMasks.map { kind == .gru(resetAfter: false) ? $0[2].pointer : $0[0].pointer }

        for s in stride(from: T - 1, through: 0, by: -1) {
            let t = time(s), hp = P + s * b * S, out = P + (s + 1) * b * S, go = pg + (s + 1) * b * S
            let gs = st + s * b * K, dg = pdG + s * b * GU
            for bi in 0..<b {
                let ch = carryH + bi * un, cc = carryC + bi * un, gr = go + bi * S, d = dg + bi * GU
                for j in 0..<un { ch[j] += gr[j] }
                if kind == .lstm { for j in 0..<un { cc[j] += gr[un + j] } }
                if isMasked(bi, t) {  // the state passed through unchanged: so does its gradient
                    for j in 0..<GU { d[j] = 0 }
                    continue
                }
                let row = gs + bi * K, hr = hp + bi * S, o = out + bi * S
                switch kind {
                case .simple:
                    for j in 0..<un { d[j] = ch[j]; ch[j] = 0 }
                    act.multiplyByDerivative(d, o, un)
                case .lstm:
                    // tc = act(c); dc = carry_c + dh⊙o⊙act'(tc)
                    let c = o + un, cp = hr + un
                    for j in 0..<un { row1[j] = c[j] }
                    act.apply(row1, un)
                    for j in 0..<un { d[3 * un + j] = ch[j] * row[3 * un + j] }   // dh⊙o (temporarily)
                    act.multiplyByDerivative(d + 3 * un, row1, un)
                    // One short loop per array pair, so each vectorizes.
                    for j in 0..<un { cc[j] += d[3 * un + j] }                 // dc
                    for j in 0..<un { d[j] = cc[j] * row[2 * un + j] }         // di
                    for j in 0..<un { d[un + j] = cc[j] * cp[j] }              // df
                    for j in 0..<un { d[2 * un + j] = cc[j] * row[j] }         // dc̃
                    for j in 0..<un { d[3 * un + j] = ch[j] * row1[j] }        // do
                    for j in 0..<un { cc[j] *= row[un + j] }                   // dc_{t-1}
                    for j in 0..<un { ch[j] = 0 }
                    ract.multiplyByDerivative(d, row, 2 * un)
                    act.multiplyByDerivative(d + 2 * un, row + 2 * un, un)
                    ract.multiplyByDerivative(d + 3 * un, row + 3 * un, un)
                case .gru(let resetAfter):
                    // row = [z | r | h̃ | inner_h or r⊙h]
                    for j in 0..<un {
                        let dh = ch[j], zj = row[j], hh = row[2 * un + j]
                        d[j] = dh * (hr[j] - hh)
                        d[2 * un + j] = dh * (1 - zj)
                        ch[j] = dh * zj
                    }
                    ract.multiplyByDerivative(d, row, un)
                    act.multiplyByDerivative(d + 2 * un, row + 2 * un, un)
                    if resetAfter {
                        for j in 0..<un { d[un + j] = d[2 * un + j] * row[3 * un + j] }
                        ract.multiplyByDerivative(d + un, row + un, un)
                    }
                }
                let zrow = pdZ + (bi * T + t) * GU
                for j in 0..<GU { zrow[j] = d[j] }
                if kind == .gru(resetAfter: true) { for j in 0..<un { d[2 * un + j] *= row[un + j] } }
            }
            if kind == .gru(resetAfter: false) {
                // d(r⊙h) = da_h·U_hᵀ; dr = d(r⊙h)⊙h_{t-1}(⊙m_h); dh_{t-1} += d(r⊙h)⊙r(⊙m_h)
                gemm(dg + 2 * un, lda: GU, pu + 2 * un, ldb: GU, scratch, ldc: un, m: b, n: un, k: un, transB: true)
                for bi in 0..<b where !isMasked(bi, t) {
                    let d = dg + bi * GU, row = gs + bi * K, hr = hp + bi * S, ch = carryH + bi * un, drh = scratch + bi * un
                    let m = hDrop.map { $0 + bi * un }
                    for j in 0..<un {
                        let mj = m?[j] ?? 1
                        d[un + j] = drh[j] * hr[j] * mj
                        ch[j] += drh[j] * row[un + j] * mj
                    }
                    ract.multiplyByDerivative(d + un, row + un, un)
                    let zrow = pdZ + (bi * T + t) * GU
                    for j in 0..<un { zrow[un + j] = d[un + j] }
                }
            }
            // dh_{t-1} += Σ_g (da_g·U_gᵀ)(⊙m_g); with masks, dU_g += (h⊙m_g)ᵀ·da_g per step.
            if let dropMasks {
                for gi in 0..<DG {
                    let m = dropMasks[gi].pointer
                    gemm(dg + gi * un, lda: GU, pu + gi * un, ldb: GU, scratch, ldc: un, m: b, n: un, k: un, transB: true)
                    for i in 0..<(b * un) { carryH[i] += scratch[i] * m[i] }
                    if tu {
                        for bi in 0..<b { for j in 0..<un { scratch2[bi * un + j] = hp[bi * S + j] * m[bi * un + j] } }
                        gemm(scratch2, lda: un, dg + gi * un, ldb: GU, pdU + gi * un, ldc: GU, m: un, n: un, k: b, transA: true, beta: 1)
                    }
                }
            } else {
                gemm(dg, lda: GU, pu, ldb: GU, carryH, ldc: un, m: b, n: un, k: DG * un, transB: true, beta: 1)
            }
        }
        if tu {
            if dropMasks == nil {
                // dU[:, direct] = Σ_s h_{s-1}ᵀ·da_s: the states of slots 0…T-1 are the h_{t-1} of every step.
                gemm(P, lda: S, pdG, ldb: GU, pdU, ldc: GU, m: un, n: DG * un, k: T * b, transA: true)
            }
            if kind == .gru(resetAfter: false) {
                gemm(st + 3 * un, lda: K, pdG + 2 * un, ldb: GU, pdU + 2 * un, ldc: GU, m: un, n: un, k: T * b, transA: true)
            }
        }
        var dBias: Tensor?
        if tb, let bias {
            dBias = Tensor(shape: bias.shape)
            let pb = dBias!.freshPointer
            for r in 0..<(b * T) { let zr = pdZ + r * GU; for j in 0..<GU { pb[j] += zr[j] } }
            if bias.count == 2 * GU {
                for r in 0..<(T * b) { let d = pdG + r * GU; for j in 0..<GU { pb[GU + j] += d[j] } }
            }
        }
        return [tz ? dZ : nil, tu ? dU : nil, dBias]
    }
}

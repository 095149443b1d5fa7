/// Back-propagation through time for `recurrentSequence`: one reverse loop over the
/// steps (run on slices of batch rows in parallel, as the forward loop), per step a
/// pointwise pass over the stored gate values and one GEMM (dh_{t-1} += da·Uᵀ); the
/// recurrent-kernel gradient is one GEMM over all steps after the loop (one per gate when
/// recurrent dropout masks are set), split by columns over the threads.
extension RecurrentRun {
    /// `g`: d(loss)/d(states), (T+1, b, S). Returns gradients for (z, U, bias).
    func backward(_ g: Tensor, states: Tensor, store: Tensor) -> [Tensor?] {
        let tz = z.isTracked, tu = u.isTracked, tb = bias?.isTracked ?? false
        var dZ = Tensor(uninitializedShape: z.shape)  // every row of every step is written
        var dU = Tensor(shape: u.shape)
        // dG, the gradients at the gates where they meet h_{t-1}·U in processing order, is dZ
        // itself for SimpleRNN and LSTM running forwards (z is time-major like the steps).
        // GRU's differ in the candidate block; go_backwards reverses the order.
        let shareDZ = !kind.isGRU && !goBackwards
        var dGStore = shareDZ ? nil : Tensor(uninitializedShape: [T, b, GU])
        let pdZ = dZ.freshPointer, pdU = dU.freshPointer
        let pdG = dGStore == nil ? pdZ : dGStore!.freshPointer
        let P = states.pointer, st = store.pointer, pg = g.pointer, DG = kind.directGates
        ParallelBatch.run(b, chunks: rowSlices) { _, rows in
            backward(rows: rows, g: pg, states: P, store: st, dZ: pdZ, dG: pdG)
        }
        if tu {
            if let dropMasks {
                // dU_g = Σ_s (h_{s-1} ⊙ m_g)ᵀ·da_{s,g}: the mask is the same at every step, so
                // one GEMM per gate over the masked states of slots 0…T-1.
                var masked = Tensor(uninitializedShape: [T * b, un])
                let hm = masked.freshPointer
                for gi in 0..<DG {
                    let m = dropMasks[gi].pointer
                    for r in 0..<(T * b) {
                        let h = P + r * S, mr = m + (r % b) * un, o = hm + r * un
                        for j in 0..<un { o[j] = h[j] * mr[j] }
                    }
                    columnParallel(un, true) { j in
                        gemm(hm, lda: un, pdG + gi * un + j.lowerBound, ldb: GU, pdU + gi * un + j.lowerBound, ldc: GU,
                             m: un, n: j.count, k: T * b, transA: true)
                    }
                }
            } else {
                // dU[:, direct] = Σ_s h_{s-1}ᵀ·da_s: the states of slots 0…T-1 are the h_{t-1} of every step.
                // A large product: split by columns over our threads (OpenBLAS's own would spin
                // between the per-step GEMMs of the next sequence).
                columnParallel(DG * un, true) { j in
                    gemm(P, lda: S, pdG + j.lowerBound, ldb: GU, pdU + j.lowerBound, ldc: GU, m: un, n: j.count, k: T * b, transA: true)
                }
            }
            if kind == .gru(resetAfter: false) {
                columnParallel(un, true) { j in
                    gemm(st + 3 * un, lda: K, pdG + 2 * un + j.lowerBound, ldb: GU, pdU + 2 * un + j.lowerBound, ldc: GU,
                         m: un, n: j.count, k: T * b, transA: true)
                }
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
        withExtendedLifetime(dGStore) {}
        return [tz ? dZ : nil, tu ? dU : nil, dBias]
    }

    /// The reverse loop over time for the batch rows `rows`: writes their rows of dZ and
    /// dG (the pre-activation gradients of every step, (T, b, GU)).
    func backward(rows: Range<Int>, g pg: UnsafePointer<Float>, states P: UnsafePointer<Float>, store st: UnsafePointer<Float>,
                  dZ pdZ: UnsafeMutablePointer<Float>, dG pdG: UnsafeMutablePointer<Float>) {
        let pu = u.pointer, r0 = rows.lowerBound, n = rows.count
        let act = cell.activation, ract = cell.recurrentActivation
        let defaultActivations = act.activation == .tanh && ract.activation == .sigmoid
        let DG = kind.directGates
        let carryH = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n * un, 1))
        let carryC = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n * un, 1))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n * un, 1))
        defer { for p in [carryH, carryC, scratch] { p.deallocate() } }
        carryH.initialize(repeating: 0, count: n * un)
        carryC.initialize(repeating: 0, count: n * un)
        let hDrop = dropMasks.map { kind == .gru(resetAfter: false) ? $0[2].pointer : $0[0].pointer }

        for s in stride(from: T - 1, through: 0, by: -1) {
            let t = time(s), hp = P + s * b * S, out = P + (s + 1) * b * S, go = pg + (s + 1) * b * S
            let gs = st + s * b * K, dg = pdG + s * b * GU
            for bi in rows {
                let ch = carryH + (bi - r0) * un, cc = carryC + (bi - r0) * un, gr = go + bi * S, d = dg + bi * GU
                let zrow = pdZ + (t * b + bi) * GU, row = gs + bi * K, hr = hp + bi * S, o = out + bi * S
                if isMasked(bi, t) {  // the state passed through unchanged: so does its gradient
                    for j in 0..<un { ch[j] += gr[j] }
                    if kind == .lstm { for j in 0..<un { cc[j] += gr[un + j] } }
                    d.update(repeating: 0, count: GU)
                    if zrow != d { zrow.update(repeating: 0, count: GU) }
                    continue
                }
                if kind == .lstm {  // one fused pass: carries and gate gradients
                    if defaultActivations {
                        lstmCellBackward(TanhGate(), SigmoidGate(), row: row, cPrev: hr + un, g: gr, dh: ch, dc: cc, d: d)
                    } else {
                        lstmCellBackward(act, ract, row: row, cPrev: hr + un, g: gr, dh: ch, dc: cc, d: d)
                    }
                    if zrow != d { zrow.update(from: d, count: GU) }
                    continue
                }
                for j in 0..<un { ch[j] += gr[j] }
                switch kind {
                case .simple:
                    for j in 0..<un { d[j] = ch[j]; ch[j] = 0 }
                    act.multiplyByDerivative(d, o, un)
                case .lstm:
                    preconditionFailure("handled above")
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
                if zrow != d { zrow.update(from: d, count: GU) }
                if kind == .gru(resetAfter: true) { for j in 0..<un { d[2 * un + j] *= row[un + j] } }
            }
            if kind == .gru(resetAfter: false) {
                // d(r⊙h) = da_h·U_hᵀ; dr = d(r⊙h)⊙h_{t-1}(⊙m_h); dh_{t-1} += d(r⊙h)⊙r(⊙m_h)
                gemm(dg + r0 * GU + 2 * un, lda: GU, pu + 2 * un, ldb: GU, scratch, ldc: un, m: n, n: un, k: un, transB: true)
                for bi in rows where !isMasked(bi, t) {
                    let d = dg + bi * GU, row = gs + bi * K, hr = hp + bi * S, ch = carryH + (bi - r0) * un, drh = scratch + (bi - r0) * un
                    let m = hDrop.map { $0 + bi * un }
                    for j in 0..<un {
                        let mj = m?[j] ?? 1
                        d[un + j] = drh[j] * hr[j] * mj
                        ch[j] += drh[j] * row[un + j] * mj
                    }
                    ract.multiplyByDerivative(d + un, row + un, un)
                    let zrow = pdZ + (t * b + bi) * GU
                    for j in 0..<un { zrow[un + j] = d[un + j] }
                }
            }
            // dh_{t-1} += Σ_g (da_g·U_gᵀ)(⊙m_g); not needed after the first step (h_{-1} is a constant).
            if s == 0 { break }
            if let dropMasks {
                for gi in 0..<DG {
                    let m = dropMasks[gi].pointer + r0 * un
                    gemm(dg + r0 * GU + gi * un, lda: GU, pu + gi * un, ldb: GU, scratch, ldc: un, m: n, n: un, k: un, transB: true)
                    for i in 0..<(n * un) { carryH[i] += scratch[i] * m[i] }
                }
            } else {
                gemm(dg + r0 * GU, lda: GU, pu, ldb: GU, carryH, ldc: un, m: n, n: un, k: DG * un, transB: true, beta: 1)
            }
        }
    }

    /// The backward of `lstmCell` for one batch row: from the stored [i | f | c̃ | o | act(c)],
    /// the incoming state gradients `g` (dh, dc of this step's output) and the carries
    /// from the step after, writes the pre-activation gradients [di | df | dc̃ | do] to `d`,
    /// leaves dc_{t-1} in `dc` and clears `dh` for the next carry.
    @inline(__always)
    func lstmCellBackward<A: GateFunction, R: GateFunction>(_ act: A, _ ract: R, row: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
                                                            g: UnsafePointer<Float>, dh dhp: UnsafeMutablePointer<Float>,
                                                            dc dcp: UnsafeMutablePointer<Float>, d: UnsafeMutablePointer<Float>) {
        forEach8(un) { j, m in
            let dh = load8(dhp + j, m) + load8(g + j, m), i = load8(row + j, m), f = load8(row + un + j, m)
            let c̃ = load8(row + 2 * un + j, m), og = load8(row + 3 * un + j, m), tc = load8(row + 4 * un + j, m)
            let dc = load8(dcp + j, m) + load8(g + un + j, m) + dh * og * act.derivative(tc)
            store8(dc * c̃ * ract.derivative(i), d + j, m)
            store8(dc * load8(cPrev + j, m) * ract.derivative(f), d + un + j, m)
            store8(dc * i * act.derivative(c̃), d + 2 * un + j, m)
            store8(dh * tc * ract.derivative(og), d + 3 * un + j, m)
            store8(dc * f, dcp + j, m)
            store8(Float8(), dhp + j, m)
        }
    }
}

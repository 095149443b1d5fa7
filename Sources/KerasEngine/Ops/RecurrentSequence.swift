import CBLAS

/// The cells of Keras's recurrent layers, with their gate layout along the last axis of
/// kernel, recurrent_kernel and bias: SimpleRNN one block, LSTM (i, f, c, o), GRU (z, r, h).
public enum RecurrentCellKind: Equatable, Sendable {
    case simple, lstm
    /// reset_after = true: the reset gate multiplies (h·U_h + b_rh) (bias shape (2, 3·units)).
    case gru(resetAfter: Bool)

    /// Blocks of `units` columns in the kernels.
    public var gates: Int {
        switch self { case .simple: 1; case .lstm: 4; case .gru: 3 }
    }
    var isGRU: Bool { if case .gru = self { true } else { false } }
    /// Blocks per step in the state tensor: h (and c for LSTM).
    var stateBlocks: Int { self == .lstm ? 2 : 1 }
    /// Blocks per step kept for the backward pass: LSTM i, f, c̃, o and act(c); GRU z, r,
    /// h̃ and the inner product (or r⊙h).
    var storeBlocks: Int { switch self { case .simple: 0; case .lstm: 5; case .gru: 4 } }
    /// Gate blocks multiplied by h_{t-1}·U directly (GRU without reset_after multiplies
    /// its candidate block by r ⊙ h_{t-1} instead).
    var directGates: Int { self == .gru(resetAfter: false) ? 2 : gates }
}

/// A cell's shape and activations.
public struct RecurrentCellSpec: Equatable, Sendable {
    public var kind: RecurrentCellKind
    public var units: Int
    public var activation: RecurrentActivation
    public var recurrentActivation: RecurrentActivation
    public init(kind: RecurrentCellKind, units: Int, activation: RecurrentActivation, recurrentActivation: RecurrentActivation) {
        self.kind = kind; self.units = units; self.activation = activation; self.recurrentActivation = recurrentActivation
    }
}


/// A whole recurrent sequence as ONE recorded op (forward loop over time, backward
/// through time in its closure).
///
/// - `z`: (time, batch, gates·units), time-major: the input projection x·W of all steps
///   (one GEMM, done by the caller); the input bias is added here.
/// - `recurrentKernel`: (units, gates·units); `bias`: (gates·units) input bias, or
///   (2, gates·units) input and recurrent biases (GRU reset_after).
/// - `mask`: (batch, time) of 1/0; at a masked step the state is carried unchanged.
/// - `recurrentDropout`: one (batch, units) mask per gate (Keras implementation 1; one
///   mask for SimpleRNN), multiplied into h_{t-1} where it meets the recurrent kernel.
///
/// Returns the states of every step, (time + 1, batch, blocks·units) in processing
/// order (reversed time for `goBackwards`): slot 0 is the zero initial state, slot s+1
/// the state after step s; each row holds h (then c for LSTM). Per step t, with
/// a = z_t + b + h_{t-1}·U split into gate blocks:
/// - SimpleRNN: h = act(a)
/// - LSTM: i, f, o = ract(a_i, a_f, a_o), c = f⊙c_{t-1} + i⊙act(a_c), h = o⊙act(c)
/// - GRU: z, r = ract(…), h̃ = act(x_h + r⊙(h_{t-1}·U_h + b_rh)) (reset_after) or
///   act(x_h + (r⊙h_{t-1})·U_h), h = z⊙h_{t-1} + (1-z)⊙h̃
public func recurrentSequence(_ z: Tensor, recurrentKernel: Tensor, bias: Tensor?, cell: RecurrentCellSpec,
                              mask: Tensor? = nil, recurrentDropout: [Tensor]? = nil, goBackwards: Bool = false) -> Tensor {
    let run = RecurrentRun(z: z, u: recurrentKernel, bias: bias, cell: cell, mask: mask,
                           recurrentDropout: recurrentDropout, goBackwards: goBackwards)
    let (states, store) = run.forward()
    let inputs = bias.map { [z, recurrentKernel, $0] } ?? [z, recurrentKernel]
    return Tape.record(states, inputs: inputs) { g in run.backward(g, states: states, store: store) }
}

/// Dimensions, operands and the time loops of `recurrentSequence`.
struct RecurrentRun {
    let z: Tensor, u: Tensor, bias: Tensor?, mask: Tensor?, dropMasks: [Tensor]?
    let cell: RecurrentCellSpec, kind: RecurrentCellKind, goBackwards: Bool
    let b: Int, T: Int, un: Int, G: Int, GU: Int, S: Int, K: Int

    init(z: Tensor, u: Tensor, bias: Tensor?, cell: RecurrentCellSpec, mask: Tensor?, recurrentDropout: [Tensor]?, goBackwards: Bool) {
        let kind = cell.kind, un = cell.units, G = kind.gates
        precondition(z.rank == 3 && z.shape[2] == G * un, "recurrentSequence: z \(z.shape) for \(G)×\(un) gates")
        let b = z.shape[1], T = z.shape[0]
        precondition(u.shape == [un, G * un], "recurrentSequence: recurrent kernel \(u.shape)")
        precondition(bias == nil || bias!.count == G * un || (bias!.count == 2 * G * un && kind == .gru(resetAfter: true)),
                     "recurrentSequence: bias \(bias!.shape)")
        precondition(mask == nil || mask!.count == b * T, "recurrentSequence: mask \(mask!.shape)")
        precondition(recurrentDropout == nil || recurrentDropout!.count == G && recurrentDropout!.allSatisfy { $0.count == b * un },
                     "recurrentSequence: recurrent dropout masks")
        self.z = z; self.u = u; self.bias = bias; self.mask = mask; self.dropMasks = recurrentDropout
        self.cell = cell; self.kind = kind; self.goBackwards = goBackwards
        self.b = b; self.T = T; self.un = un; self.G = G; GU = G * un
        S = kind.stateBlocks * un; K = kind.storeBlocks * un
    }

    @inline(__always) func time(_ s: Int) -> Int { goBackwards ? T - 1 - s : s }
    @inline(__always) func isMasked(_ bi: Int, _ t: Int) -> Bool { mask.map { $0.pointer[bi * T + t] == 0 } ?? false }

    /// The row slices the time loops run on: rows are independent through time, so each
    /// thread runs the whole sequence for its own rows, with single-threaded GEMMs and no
    /// synchronization per step. One slice per thread (fewer when a slice would hold under
    /// 8 rows): the per-step GEMMs are small, and halving their rows again costs more in
    /// GEMM efficiency than it gains in balance.
    var rowSlices: Int { Swift.max(1, Swift.min(ParallelBatch.threads, b / 8)) }

    /// C[:, gates] = beta·C + (h ⊙ m_g)·U[:, gates] for the batch rows `rows`, block by
    /// block when dropout masks are set. `h` and `c` point at the first row of the slice.
    func recurrentProduct(_ h: UnsafePointer<Float>, ldh: Int, rows: Range<Int>, gates: Range<Int>,
                          into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, scratch: UnsafeMutablePointer<Float>) {
        guard let dropMasks else {
            gemm(h, lda: ldh, u.pointer + gates.lowerBound * un, ldb: GU, c, ldc: ldc,
                 m: rows.count, n: gates.count * un, k: un, beta: beta)
            return
        }
        for g in gates {
            let m = dropMasks[g].pointer + rows.lowerBound * un
            for r in 0..<rows.count { for j in 0..<un { scratch[r * un + j] = h[r * ldh + j] * m[r * un + j] } }
            gemm(scratch, lda: un, u.pointer + g * un, ldb: GU, c + (g - gates.lowerBound) * un, ldc: ldc,
                 m: rows.count, n: un, k: un, beta: beta)
        }
    }

    /// Runs the loop; returns the states (T+1, b, S) and the stored gate values (T, b, K).
    func forward() -> (Tensor, Tensor) {
        // Every slot but the zero initial state is written by the loop.
        var states = Tensor(uninitializedShape: [T + 1, b, S])
        var store = Tensor(uninitializedShape: [T, b, K])
        let P = states.freshPointer, st = store.freshPointer
        P.initialize(repeating: 0, count: b * S)
        ParallelBatch.run(b, chunks: rowSlices) { _, rows in forward(rows: rows, states: P, store: st) }
        return (states, store)
    }

    /// The forward loop over time for the batch rows `rows` (disjoint from other slices'
    /// rows in every buffer it writes).
    func forward(rows: Range<Int>, states P: UnsafeMutablePointer<Float>, store st: UnsafeMutablePointer<Float>) {
        let pz = z.pointer, r0 = rows.lowerBound, n = rows.count
        let bIn = bias?.pointer, bRec = bias.flatMap { $0.count == 2 * GU ? $0.pointer + GU : nil }
        let act = cell.activation, ract = cell.recurrentActivation
        let defaultActivations = act.activation == .tanh && ract.activation == .sigmoid
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n * un, 1))
        defer { scratch.deallocate() }
        let hDrop = dropMasks.map { kind == .gru(resetAfter: false) ? $0[2].pointer : $0[0].pointer }
        for s in 0..<T {
            let t = time(s), hp = UnsafePointer(P + s * b * S), out = P + (s + 1) * b * S, gs = st + s * b * K
            // Pre-activations: z_t + input bias, then + h_{t-1}·U on the direct gates. SimpleRNN
            // and LSTM start C at z_t + b, so the GEMM accumulates (beta = 1) instead of
            // clearing C first; GRU rearranges its blocks after a plain product.
            let target = kind == .simple ? out : gs, ldt = kind == .simple ? S : K
            let isGRU = kind.isGRU, off = isGRU ? un : 0
            // Step 0 multiplies the zero initial state: C = z_0 + b is already the sum.
            let skipProduct = !isGRU && s == 0
            if !isGRU {
                for bi in rows {
                    let zr = pz + (t * b + bi) * GU, row = target + bi * ldt
                    if let bIn { for j in 0..<GU { row[j] = zr[j] + bIn[j] } } else { row.update(from: zr, count: GU) }
                }
            }
            if !skipProduct {
                recurrentProduct(hp + r0 * S, ldh: S, rows: rows, gates: 0..<kind.directGates, into: target + r0 * ldt + off, ldc: ldt,
                                 beta: isGRU ? 0 : 1, scratch: scratch)
            }
            for bi in rows {
                let zr = pz + (t * b + bi) * GU, row = target + bi * ldt, hr = hp + bi * S, o = out + bi * S
                switch kind {
                case .simple:
                    act.apply(row, un)
                case .lstm:
                    if defaultActivations {
                        lstmCell(TanhGate(), SigmoidGate(), row: row, cPrev: hr + un, h: o, c: o + un)
                    } else {
                        lstmCell(act, ract, row: row, cPrev: hr + un, h: o, c: o + un)
                    }
                case .gru(let resetAfter):
                    // row = [z | r | h̃ | inner_h or r⊙h]; the product left [iz | ir | (ih)] at columns u…
                    for j in 0..<un {
                        let iz = row[un + j], ir = row[2 * un + j]
                        row[j] = zr[j] + iz + (bIn?[j] ?? 0) + (bRec?[j] ?? 0)
                        row[un + j] = zr[un + j] + ir + (bIn?[un + j] ?? 0) + (bRec?[un + j] ?? 0)
                        if resetAfter { row[3 * un + j] += bRec?[2 * un + j] ?? 0 }
                    }
                    ract.apply(row, 2 * un)
                    if resetAfter {
                        for j in 0..<un { row[2 * un + j] = zr[2 * un + j] + (bIn?[2 * un + j] ?? 0) + row[un + j] * row[3 * un + j] }
                        act.apply(row + 2 * un, un)
                        for j in 0..<un { o[j] = row[j] * hr[j] + (1 - row[j]) * row[2 * un + j] }
                    } else {
                        let m = hDrop.map { $0 + bi * un }
                        for j in 0..<un { row[3 * un + j] = row[un + j] * hr[j] * (m?[j] ?? 1) }
                    }
                }
                if kind != .gru(resetAfter: false), isMasked(bi, t) { for j in 0..<S { o[j] = hr[j] } }
            }
            guard kind == .gru(resetAfter: false) else { continue }
            // Candidate: h̃ = act(x_h + b_h + (r⊙h_{t-1})·U_h), then mix.
            gemm(gs + r0 * K + 3 * un, lda: K, u.pointer + 2 * un, ldb: GU, gs + r0 * K + 2 * un, ldc: K, m: n, n: un, k: un)
            for bi in rows {
                let zr = pz + (t * b + bi) * GU, row = gs + bi * K, hr = hp + bi * S, o = out + bi * S
                for j in 0..<un { row[2 * un + j] += zr[2 * un + j] + (bIn?[2 * un + j] ?? 0) }
                act.apply(row + 2 * un, un)
                if isMasked(bi, t) { for j in 0..<un { o[j] = hr[j] } } else {
                    for j in 0..<un { o[j] = row[j] * hr[j] + (1 - row[j]) * row[2 * un + j] }
                }
            }
        }
    }

    /// One LSTM step for one batch row, eight units at a time: `row` holds the
    /// pre-activations [i | f | c̃ | o] and leaves with [i | f | c̃ | o | act(c)] (the
    /// backward pass's inputs); writes c and h. Generic so Keras's default pair (tanh,
    /// sigmoid) compiles to straight-line vector code.
    @inline(__always)
    func lstmCell<A: GateFunction, R: GateFunction>(_ act: A, _ ract: R, row: UnsafeMutablePointer<Float>,
                                                    cPrev: UnsafePointer<Float>, h: UnsafeMutablePointer<Float>,
                                                    c: UnsafeMutablePointer<Float>) {
        forEach8(un) { j, m in
            let i = ract(load8(row + j, m)), f = ract(load8(row + un + j, m))
            let g = act(load8(row + 2 * un + j, m)), og = ract(load8(row + 3 * un + j, m))
            let cn = f * load8(cPrev + j, m) + i * g, tc = act(cn)
            store8(i, row + j, m); store8(f, row + un + j, m); store8(g, row + 2 * un + j, m)
            store8(og, row + 3 * un + j, m); store8(tc, row + 4 * un + j, m)
            store8(cn, c + j, m); store8(og * tc, h + j, m)
        }
    }
}

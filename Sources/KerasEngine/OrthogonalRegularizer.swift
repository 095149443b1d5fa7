/// Keras `OrthogonalRegularizer` (factor 0.01, mode "rows"): for a rank-2 weight, the rows
/// (or columns) are L2-normalised to N and the penalty is
/// factor · ½ · Σ_{i≠j} |(N·Nᵀ)ᵢⱼ| / (n(n−1)/2), n the number of rows (columns).
/// Keras rejects other ranks when the penalty is computed; `validate(shape:)` lets a
/// builder report that up front, and `penalty` of such a tensor is 0.
public struct OrthogonalRegularizer: Regularizer, Equatable, Sendable {
    public enum Mode: String, Sendable, CaseIterable { case rows, columns }
    public var factor: Float, mode: Mode

    public init(factor: Float = 0.01, mode: Mode = .rows) throws {
        try validateRegularizer(factor, "factor", "OrthogonalRegularizer")
        self.factor = factor; self.mode = mode
    }

    /// Throws unless `shape` has rank 2 (Keras's requirement).
    public func validate(shape: [Int]) throws {
        guard shape.count == 2 else {
            throw OptimizerError.invalidArgument(owner: "OrthogonalRegularizer", argument: "inputs.shape",
                                                 value: "\(shape)", expected: "a rank-2 weight")
        }
    }

    public func penalty(_ x: Tensor) -> Tensor {
        guard x.rank == 2 else { return Tensor(0) }
        let rowsMode = mode == .rows
        let n = rowsMode ? x.shape[0] : x.shape[1], d = rowsMode ? x.shape[1] : x.shape[0]
        // a: n×d, the vectors to normalise as rows.
        let a = rowsMode ? Self.copied(x) : Self.transposed(x)
        let pa = a.freshPointer
        var inv = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var s: Float = 0
            for j in 0..<d { s += pa[i * d + j] * pa[i * d + j] }
            inv[i] = Swift.min(1 / s.squareRoot(), 1e7)
            for j in 0..<d { pa[i * d + j] *= inv[i] }
        }
        let p = Tensor(uninitializedShape: [n, n])
        sgemm(pa, pa, p.freshPointer, m: n, n: n, k: d, transB: true)
        let pp = p.pointer
        var total: Float = 0
        for i in 0..<n { for j in 0..<n where i != j { total += Swift.abs(pp[i * n + j]) } }
        let pairs = Float(n) * (Float(n) - 1) / 2
        let value = factor * 0.5 * total / pairs
        let (f, normalized, products, invNorms) = (factor, a, p, inv)
        return Tape.record(Tensor(value), inputs: [x]) { g in
            // dL/dP = c·sign(P) off the diagonal; dL/dN = (S + Sᵀ)·N = 2·S·N.
            let c = g.scalar * f * 0.5 / pairs
            let s = Tensor(uninitializedShape: [n, n])
            let ps = s.freshPointer, pp = products.pointer
            for i in 0..<n { for j in 0..<n {
                let v = pp[i * n + j]
                ps[i * n + j] = i == j ? 0 : 2 * c * (v > 0 ? 1 : (v < 0 ? -1 : 0))
            } }
            let dn = Tensor(uninitializedShape: [n, d])
            let pn = normalized.pointer, pd = dn.freshPointer
            sgemm(ps, pn, pd, m: n, n: d, k: n)
            for i in 0..<n {
                var dot: Float = 0
                for j in 0..<d { dot += pn[i * d + j] * pd[i * d + j] }
                let clipped = invNorms[i] >= 1e7
                for j in 0..<d {
                    pd[i * d + j] = clipped ? pd[i * d + j] * invNorms[i] : invNorms[i] * (pd[i * d + j] - pn[i * d + j] * dot)
                }
            }
            return [rowsMode ? dn : Self.transposed(dn)]
        }
    }

    static func copied(_ x: Tensor) -> Tensor {
        let t = Tensor(uninitializedShape: x.shape)
        t.freshPointer.update(from: x.pointer, count: x.count)
        return t
    }

    static func transposed(_ x: Tensor) -> Tensor {
        let r = x.shape[0], c = x.shape[1]
        let t = Tensor(uninitializedShape: [c, r])
        let src = x.pointer, dst = t.freshPointer
        for i in 0..<r { for j in 0..<c { dst[j * r + i] = src[i * c + j] } }
        return t
    }
}

/// Keras's weight regularizers. The penalty is a fused op with its backward beside it.
/// Keras aliases: `l1` = L1 (l1 0.01), `l2` = L2 (l2 0.01), `l1_l2` = L1L2 (l1 0, l2 0),
/// `orthogonal_regularizer` = OrthogonalRegularizer (factor 0.01, mode "rows").

/// Keras `L1L2`: penalty = l1·Σ|x| + l2·Σx² (no ½); defaults l1 = 0, l2 = 0.
public struct L1L2: Regularizer, Equatable, Sendable {
    public var l1: Float, l2: Float
    public init(l1: Float = 0, l2: Float = 0) throws {
        try validateRegularizer(l1, "l1", "L1L2"); try validateRegularizer(l2, "l2", "L1L2")
        self.l1 = l1; self.l2 = l2
    }
    public func penalty(_ x: Tensor) -> Tensor { l1l2Penalty(x, l1: l1, l2: l2) }
}

/// Keras `L1`: penalty = l1·Σ|x|; default l1 = 0.01.
public struct L1: Regularizer, Equatable, Sendable {
    public var l1: Float
    public init(l1: Float = 0.01) throws { try validateRegularizer(l1, "l1", "L1"); self.l1 = l1 }
    public func penalty(_ x: Tensor) -> Tensor { l1l2Penalty(x, l1: l1, l2: 0) }
}

/// Keras `L2`: penalty = l2·Σx² (no ½); default l2 = 0.01.
public struct L2: Regularizer, Equatable, Sendable {
    public var l2: Float
    public init(l2: Float = 0.01) throws { try validateRegularizer(l2, "l2", "L2"); self.l2 = l2 }
    public func penalty(_ x: Tensor) -> Tensor { l1l2Penalty(x, l1: 0, l2: l2) }
}

/// Keras's check: a finite, non-negative float.
func validateRegularizer(_ v: Float, _ argument: String, _ owner: String) throws {
    guard v.isFinite, v >= 0 else {
        throw OptimizerError.invalidArgument(owner: owner, argument: argument, value: "\(v)", expected: "a non-negative float")
    }
}

/// l1·Σ|x| + l2·Σx² as one op (sums in Double); d/dx = l1·sign(x) + 2·l2·x.
public func l1l2Penalty(_ x: Tensor, l1: Float, l2: Float) -> Tensor {
    let px = x.pointer, n = x.count
    var a = 0.0, s = 0.0
    for i in 0..<n { let v = Double(px[i]); a += Swift.abs(v); s += v * v }
    let value = Float(Double(l1) * a + Double(l2) * s)
    return Tape.record(Tensor(value), inputs: [x]) { g in
        let gx = Tensor(uninitializedShape: x.shape)
        let pd = gx.freshPointer, gs = g.scalar, twoL2 = 2 * l2
        for i in 0..<n {
            let v = px[i]
            pd[i] = gs * (l1 * (v > 0 ? 1 : (v < 0 ? -1 : 0)) + twoL2 * v)
        }
        return [gx]
    }
}

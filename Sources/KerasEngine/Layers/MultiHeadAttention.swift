/// Keras `MultiHeadAttention` (Vaswani et al. 2017), with Keras 3's weights and math:
///
///     q = query·Wq + bq,  k = key·Wk + bk,  v = value·Wv + bv     (EinsumDense "abc,cde->abde")
///     P_h = where(mask, softmax_S(where(mask, (q_h / √key_dim)·k_hᵀ, −1e9)), 0)   (dropout on P in training)
///     y = concat_h(P_h·v_h)·Wo + bo                                 (EinsumDense "abcd,cde->abe")
///
/// Inputs, in Keras's call order: `query`, `value`, optionally `key` (defaults to
/// `value`), then — when `attentionMaskInput` — the `attention_mask` of shape
/// `(batch, T, S)` (nonzero keeps a position). Weights, in Keras's `get_weights()` order:
/// `query/kernel` `[dim, heads, key_dim]`, `query/bias` `[heads, key_dim]`, the same for
/// `key` and `value` (`value_dim`), `attention_output/kernel` `[heads, value_dim, out]`,
/// `attention_output/bias` `[out]` (out = `output_shape`, default the query's last axis).
/// Attention runs over `attention_axes` (default: every axis between the batch and the
/// features), taken as one sequence; the other axes between the batch and the features
/// act as batch axes (Keras's einsum equations), so `attention_axes: [2]` on
/// `(batch, a, b, features)` inputs attends along `b` separately for each `a`.
///
/// Masks, as Keras's `_compute_attention_mask`: the query's Keras mask `(B, T)` becomes
/// `(B, T, 1)`, the value's (and the key's, when a key is given) `(B, 1, S)`; they, the
/// causal mask and `attention_mask` are ANDed, and the output carries the query's mask.
/// (The Keras masks of inputs of rank above 3 are not used.) A fully masked query row
/// attends uniformly to every position when Keras takes its fused `dot_product_attention`
/// path (no dropout, no returned scores, (batch, steps, features) inputs) and to nothing
/// (output 0 before the output projection) on its explicit-softmax path, as in Keras.
public final class MultiHeadAttention: ProjectedAttention, Layer, MaskAware, InputMaskClearing, LossContributing, RandomStateful {
    @dynamicMemberLookup
    public struct Config: ComposesWeightOptions {
        public var numHeads: Int
        public var keyDim: Int
        /// Defaults to `keyDim`.
        public var valueDim: Int?
        /// Dropout rate on the attention probabilities.
        public var dropout: Float = 0
        /// The last axis of the output; nil keeps the query's.
        public var outputShape: Int?
        /// The axes attention runs over (counting the batch as 0; negative from the end);
        /// nil is Keras's None, every axis between the batch and the features.
        public var attentionAxes: [Int]?
        public var seed: Int?
        /// Call arguments: `use_causal_mask`, `return_attention_scores` (then the scores
        /// `(batch, heads, T, S)` are a second output), and whether the last input is the
        /// `attention_mask`.
        public var useCausalMask = false
        public var returnAttentionScores = false
        public var attentionMaskInput = false
        /// use_bias, initializers, regularizers and constraints (activation unused).
        public var weightOptions = WeightOptions()
        public init(numHeads: Int, keyDim: Int, valueDim: Int? = nil) {
            self.numHeads = numHeads; self.keyDim = keyDim; self.valueDim = valueDim
        }
    }

    public let config: Config
    /// Non-default attention_axes: how the inputs are folded (nil for the default).
    private var axesLayout: AttentionAxes?

    public init(_ config: Config, name: String = "multi_head_attention") {
        self.config = config
        super.init(name: name, dropout: config.dropout)
    }

    public var typeName: String { "MultiHeadAttention" }
    /// Keras's MultiHeadAttention deletes the masks of its query, value and key as it runs.
    public var clearsInputMasks: Bool { true }
    var valueDim: Int { config.valueDim ?? config.keyDim }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let c = config
        guard c.numHeads > 0, c.keyDim > 0, valueDim > 0, (c.outputShape ?? 1) > 0 else {
            throw ShapeError(layer: name, "num_heads, key_dim, value_dim and output_shape must be positive, got num_heads=\(c.numHeads), key_dim=\(c.keyDim), value_dim=\(valueDim), output_shape=\(c.outputShape.map(String.init) ?? "None")")
        }
        guard c.dropout >= 0 && c.dropout < 1 else { throw ShapeError(layer: name, "dropout must be in [0, 1), got \(c.dropout)") }
        let tensors = inputShapes.count - (c.attentionMaskInput ? 1 : 0)
        guard tensors == 2 || tensors == 3 else {
            throw ShapeError(layer: name, "MultiHeadAttention takes query, value[, key]\(c.attentionMaskInput ? " and attention_mask" : ""), got \(inputShapes.count) inputs")
        }
        let query = inputShapes[0], value = inputShapes[1], key = tensors == 3 ? inputShapes[2] : value
        guard query.count >= 2, value.count == query.count, key.count == query.count else {
            throw ShapeError(layer: name, "query, value and key need the same rank (at least 3 with the batch), got query \(kerasShape(query)), value \(kerasShape(value)), key \(kerasShape(key))")
        }
        guard Array(value.dropLast()) == Array(key.dropLast()) else {
            throw ShapeError(layer: name, "All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape=\(kerasShape(value)) and key_shape=\(kerasShape(key))")
        }
        let rank = query.count + 1
        axesLayout = nil
        if let axes = c.attentionAxes {
            let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
            guard !normalized.isEmpty, Set(normalized).count == normalized.count, normalized.allSatisfy({ $0 >= 1 && $0 < rank - 1 }) else {
                throw ShapeError(layer: name, "attention_axes \(axes) must name distinct axes between the batch and the features (\(Array(1..<(rank - 1))) for query \(kerasShape(query)))")
            }
            let layout = AttentionAxes(rank: rank, attention: normalized.sorted())
            if !layout.batch.isEmpty {
                guard layout.batch.allSatisfy({ value[$0 - 1] == query[$0 - 1] }) else {
                    throw ShapeError(layer: name, "with attention_axes \(axes), query and value must agree on the other axes \(layout.batch), got query \(kerasShape(query)) and value \(kerasShape(value))")
                }
                guard !c.attentionMaskInput else {
                    throw ShapeError(layer: name, "attention_mask with non-default attention_axes \(axes) is not supported")
                }
                axesLayout = layout
            }
        }
        if c.useCausalMask && rank != 3 {
            throw ShapeError(layer: name, "use_causal_mask needs (batch, steps, features) inputs, got query \(kerasShape(query))")
        }
        let t = query.dropLast().reduce(1, *), s = value.dropLast().reduce(1, *)
        if c.attentionMaskInput {
            let mask = inputShapes[inputShapes.count - 1]
            guard mask.reduce(1, *) == t * s, mask.count == 2 * (rank - 2) || mask == [t, s] else {
                throw ShapeError(layer: name, "attention_mask must have shape (batch, \(query.dropLast().map(String.init).joined(separator: ", ")), \(value.dropLast().map(String.init).joined(separator: ", "))), got \(kerasShape(mask))")
            }
        }
        let heads = c.numHeads, out = c.outputShape ?? query[query.count - 1]
        if projections.isEmpty {
            let w = c.weightOptions
            func dense(_ sub: String, _ kernel: [Int], _ bias: [Int]) -> (Parameter, Parameter?) {
                w.makeWeights(layer: "\(name)/\(sub)", kernelShape: kernel, biasShape: bias, rng: &context.rng)
            }
            projections = [dense("query", [query[query.count - 1], heads, c.keyDim], [heads, c.keyDim]),
                           dense("key", [key[key.count - 1], heads, c.keyDim], [heads, c.keyDim]),
                           dense("value", [value[value.count - 1], heads, valueDim], [heads, valueDim]),
                           dense("attention_output", [heads, valueDim, out], [out])]
            try scoreDropout.build(inputShape: [heads, t, s], context: &context)
        } else if projections[0].kernel.shape[0] != query[query.count - 1] || projections[1].kernel.shape[0] != key[key.count - 1]
                    || projections[2].kernel.shape[0] != value[value.count - 1] {
            throw ShapeError(layer: name, "was built for query, key, value features \(projections[0].kernel.shape[0]), \(projections[1].kernel.shape[0]), \(projections[2].kernel.shape[0]); got \(query[query.count - 1]), \(key[key.count - 1]), \(value[value.count - 1])")
        }
        hasKey = tensors == 3
        // The memory budget counts outputs; charge the intermediates too: the projections,
        // the scores (twice with dropout) and the combined heads, per example.
        let p = ShapeArithmetic.self
        let projected = [p.product(t, heads * c.keyDim), p.product(s, heads * c.keyDim), p.product(s, heads * valueDim),
                         p.product(t, heads * valueDim), p.product(p.product(heads, t) ?? Int.max, s).flatMap { p.product($0, c.dropout > 0 ? 2 : 1) }]
        for n in projected { WeightAllocation.activationElements = p.sum(WeightAllocation.activationElements, n ?? Int.max) ?? Int.max }
        let y = Array(query.dropLast()) + [out]
        guard c.returnAttentionScores else { return [y] }
        guard let l = axesLayout else { return [y, [heads] + Array(query.dropLast()) + Array(value.dropLast())] }
        return [y, l.batch.map { query[$0 - 1] } + [heads] + l.attention.map { query[$0 - 1] } + l.attention.map { value[$0 - 1] }]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forward(inputs, masks: [], training: training).outputs
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        precondition(projections.count == 4, "MultiHeadAttention '\(name)' used before build")
        let c = config, heads = c.numHeads
        var query = inputs[0], value = inputs[1], key = hasKey ? inputs[2] : value
        if let l = axesLayout { (query, value, key) = (l.fold(query), l.fold(value), l.fold(key)) }
        let batch = query.shape[0], t = query.count / (batch * query.shape[query.rank - 1])
        let s = value.count / Swift.max(1, batch * value.shape[value.rank - 1])
        func rows(_ x: Tensor) -> Tensor { reshape(x, [batch, x.count / (batch * x.shape[x.rank - 1]), x.shape[x.rank - 1]]) }
        let q = rows(projectHeads(query, projections[0]))
        let k = rows(projectHeads(key, projections[1]))
        let v = rows(projectHeads(value, projections[2]))
        let keep = kerasAttentionKeep(inputs, masks: masks, batch: batch, t: t, s: s, attentionMaskInput: c.attentionMaskInput,
                                      hasKey: hasKey, causal: c.useCausalMask)
        // Keras's explicit-softmax path zeroes masked probabilities; its fused one does not.
        let fused = c.dropout == 0 && !c.returnAttentionScores && inputs[0].rank == 3
        let probs = attentionScores(q, k, heads: heads, scale: 1 / Float(c.keyDim).squareRoot(), mask: keep.map(AttentionMask.init),
                                    zeroMasked: !fused)
        let dropped = c.dropout > 0 ? scoreDropout(probs, training: training) : probs
        let combined = attentionCombine(dropped, v, heads: heads)
        var y = projectHeads(combined, projections[3])
        y = reshape(y, Array(query.shape.dropLast()) + [y.shape[y.rank - 1]])
        if let l = axesLayout { y = l.unfold(y, like: inputs[0]) }
        if let r = c.activityRegularizer { lossTerms.append(r.activityTerm(y)) }
        let outMask = inputs[0].rank == 3 ? masks.firstMask : nil
        guard c.returnAttentionScores else { return ([y], outMask) }
        let inner = Array(query.shape[1..<(query.rank - 1)]) + Array(value.shape[1..<(value.rank - 1)])
        guard let l = axesLayout else { return ([y, reshape(probs, [batch, heads] + inner)], outMask) }
        return ([y, reshape(probs, [inputs[0].shape[0]] + l.batch.map { inputs[0].shape[$0] } + [heads] + inner)], outMask)
    }
}

/// `x·W + b` with W seen as `[x's last axis, rest]` (`[in, heads, d]` for the input
/// projections, `[heads, d, out]` for the output one): Keras's EinsumDense in the
/// attention layers.
func projectHeads(_ x: Tensor, _ p: (kernel: Parameter, bias: Parameter?)) -> Tensor {
    let w = p.kernel.value, inner = x.shape[x.rank - 1]
    let y = matmul(x, reshape(w, [inner, w.count / inner]))
    guard let b = p.bias?.value else { return y }
    return biasAdd(y, reshape(b, [b.count]))
}

/// Keras's combined attention mask (`_compute_attention_mask`), `keep[(b·T + i)·S + j]`,
/// or nil when nothing masks: `attention_mask` (the last input when `attentionMaskInput`),
/// the query's Keras mask on rows, the value's (and the key's, when given) on columns —
/// for (batch, steps, features) inputs — and the causal mask.
func kerasAttentionKeep(_ inputs: [Tensor], masks: [Tensor?], batch: Int, t: Int, s: Int,
                        attentionMaskInput: Bool, hasKey: Bool, causal: Bool) -> [Bool]? {
    var keep: [Bool]?
    func and(_ allowed: (Int, Int, Int) -> Bool) {
        var flags = keep ?? [Bool](repeating: true, count: batch * t * s)
        for b in 0..<batch { for i in 0..<t { for j in 0..<s where !allowed(b, i, j) { flags[(b * t + i) * s + j] = false } } }
        keep = flags
    }
    if attentionMaskInput, let m = inputs.last {
        let pm = m.pointer
        keep = (0..<(batch * t * s)).map { pm[$0] != 0 }
    }
    if inputs[0].rank == 3 {
        let tensorMasks = Array(masks.prefix(hasKey ? 3 : 2))
        if let qm = tensorMasks.first ?? nil, qm.count == batch * t {
            let p = qm.pointer
            and { b, i, _ in p[b * t + i] != 0 }
        }
        for m in tensorMasks.dropFirst() {
            guard let m, m.count == batch * s else { continue }
            let p = m.pointer
            and { b, _, j in p[b * s + j] != 0 }
        }
    }
    if causal { and { _, i, j in j <= i } }
    return keep
}

/// Non-default `attention_axes` of inputs of full rank `rank` (batch = axis 0, features =
/// the last): the axes attended over, and the others between batch and features, which
/// `fold` moves into the batch (`(B, a, b, F)` with attention over b → `(B·a, b, F)`)
/// and `unfold` moves back.
struct AttentionAxes {
    let rank: Int
    let attention: [Int]
    var batch: [Int] { (1..<(rank - 1)).filter { !attention.contains($0) } }
    var permutation: [Int] { [0] + batch + attention + [rank - 1] }

    func fold(_ x: Tensor) -> Tensor {
        let moved = transpose(x, permutation)
        let folded = batch.reduce(x.shape[0]) { $0 * x.shape[$1] }
        return reshape(moved, [folded] + attention.map { x.shape[$0] } + [x.shape[rank - 1]])
    }

    /// `y` (folded, last axis `out`) back in the axis order of `original`.
    func unfold(_ y: Tensor, like original: Tensor) -> Tensor {
        let out = y.shape[y.rank - 1]
        let moved = reshape(y, [original.shape[0]] + batch.map { original.shape[$0] } + attention.map { original.shape[$0] } + [out])
        var inverse = permutation
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return transpose(moved, inverse)
    }
}

/// What MultiHeadAttention and GroupQueryAttention hold alike: the EinsumDense
/// projections (query, key, value, output: kernel and optional bias, in Keras's weight
/// order), the dropout on the attention probabilities (its generator is the layer's
/// random state), the activity terms, and whether the call had a key.
public class ProjectedAttention {
    public var name: String
    public var lossTerms: [Tensor] = []
    public internal(set) var projections: [(kernel: Parameter, bias: Parameter?)] = []
    let scoreDropout: Dropout
    var hasKey = false

    init(name: String, dropout: Float) {
        self.name = name
        scoreDropout = Dropout(rate: Swift.min(Swift.max(dropout, 0), 0.999), name: name + "/dropout")
    }

    public var parameters: [Parameter] { projections.flatMap { [$0.kernel, $0.bias].compactMap { $0 } } }
    public var randomState: RNG { get { scoreDropout.randomState } set { scoreDropout.randomState = newValue } }
}

/// Keras `GroupQueryAttention` (class `GroupedQueryAttention`; Ainslie et al. 2023):
/// multi-head attention whose `num_query_heads` query heads share `num_key_value_heads`
/// key/value heads, each used by `num_query_heads / num_key_value_heads` consecutive
/// query heads (`ops.repeat(key, repeats, axis=2)`):
///
///     q = query·Wq + bq  (EinsumDense "bqm,muh->bquh"),  k, v = "bkm,mvh->bkvh"
///     P_u = softmax(where(mask, (q_u / √head_dim)·k_{u/r}ᵀ, −1e9));  y = concat_u(P_u·v_{u/r})·Wo + bo
///
/// Inputs, in Keras's call order: `query (B, T, dim)`, `value (B, S, dim)`, optionally
/// `key (B, S, dk)`, then the `attention_mask (B, T, S)` when `attentionMaskInput`. The
/// output has the query's shape. Weights, in Keras's order: `query/kernel [dim, Hq, hd]`,
/// `query/bias [Hq, hd]`, `key/…` and `value/…` with Hkv heads, `attention_output/kernel
/// [Hq, hd, dim]`, `attention_output/bias [dim]`. Masks as MultiHeadAttention's (query,
/// value, key masks, causal, attention_mask; fused and explicit-softmax rows as Keras);
/// unlike it, Keras's GroupedQueryAttention leaves its inputs' masks in place.
public final class GroupQueryAttention: ProjectedAttention, Layer, MaskAware, LossContributing, RandomStateful {
    @dynamicMemberLookup
    public struct Config: ComposesWeightOptions {
        public var headDim: Int
        public var numQueryHeads: Int
        public var numKeyValueHeads: Int
        /// Dropout rate on the attention probabilities.
        public var dropout: Float = 0
        public var seed: Int?
        /// Call arguments, as MultiHeadAttention's.
        public var useCausalMask = false
        public var returnAttentionScores = false
        public var attentionMaskInput = false
        /// use_bias, initializers, regularizers and constraints (activation unused).
        public var weightOptions = WeightOptions()
        public init(headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int) {
            self.headDim = headDim; self.numQueryHeads = numQueryHeads; self.numKeyValueHeads = numKeyValueHeads
        }
    }

    public let config: Config

    public init(_ config: Config, name: String = "grouped_query_attention") {
        self.config = config
        super.init(name: name, dropout: config.dropout)
    }

    public var typeName: String { "GroupedQueryAttention" }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let c = config
        guard c.headDim > 0, c.numQueryHeads > 0, c.numKeyValueHeads > 0 else {
            throw ShapeError(layer: name, "head_dim, num_query_heads and num_key_value_heads must be positive, got \(c.headDim), \(c.numQueryHeads), \(c.numKeyValueHeads)")
        }
        guard c.numQueryHeads % c.numKeyValueHeads == 0 else {
            throw ShapeError(layer: name, "`num_query_heads` must be divisible by `num_key_value_heads`, got \(c.numQueryHeads) and \(c.numKeyValueHeads)")
        }
        guard c.dropout >= 0 && c.dropout < 1 else { throw ShapeError(layer: name, "dropout must be in [0, 1), got \(c.dropout)") }
        let tensors = inputShapes.count - (c.attentionMaskInput ? 1 : 0)
        guard tensors == 2 || tensors == 3 else {
            throw ShapeError(layer: name, "GroupQueryAttention takes query, value[, key]\(c.attentionMaskInput ? " and attention_mask" : ""), got \(inputShapes.count) inputs")
        }
        let (query, value, key) = try sequenceShapes(inputShapes, tensors: tensors, layer: name, typeName: "GroupQueryAttention")
        guard query[1] == value[1] else {
            throw ShapeError(layer: name, "The last dimension of `query_shape` and `value_shape` must be equal, but are \(query[1]), \(value[1]). Received: query_shape=\(kerasShape(query)), value_shape=\(kerasShape(value))")
        }
        if c.attentionMaskInput {
            let mask = inputShapes[inputShapes.count - 1]
            guard mask == [query[0], value[0]] else {
                throw ShapeError(layer: name, "attention_mask must have shape (batch, \(query[0]), \(value[0])), got \(kerasShape(mask))")
            }
        }
        let hq = c.numQueryHeads, hkv = c.numKeyValueHeads, d = c.headDim, dim = query[1]
        if projections.isEmpty {
            let w = c.weightOptions
            func dense(_ sub: String, _ kernel: [Int], _ bias: [Int]) -> (Parameter, Parameter?) {
                w.makeWeights(layer: "\(name)/\(sub)", kernelShape: kernel, biasShape: bias, rng: &context.rng)
            }
            projections = [dense("query", [dim, hq, d], [hq, d]), dense("key", [key[1], hkv, d], [hkv, d]),
                           dense("value", [dim, hkv, d], [hkv, d]), dense("attention_output", [hq, d, dim], [dim])]
            try scoreDropout.build(inputShape: [hq, query[0], value[0]], context: &context)
        } else if projections[0].kernel.shape[0] != dim || projections[1].kernel.shape[0] != key[1] {
            throw ShapeError(layer: name, "was built for query and key features \(projections[0].kernel.shape[0]), \(projections[1].kernel.shape[0]); got \(dim), \(key[1])")
        }
        hasKey = tensors == 3
        // Charge the intermediates to the memory budget: projections (keys and values
        // repeated to every query head), the scores (twice with dropout), the combined heads.
        let p = ShapeArithmetic.self, t = query[0], s = value[0]
        let scores = p.product(p.product(hq, t) ?? Int.max, s).flatMap { p.product($0, c.dropout > 0 ? 2 : 1) }
        for n in [p.product(t, hq * d), p.product(s, 2 * (hq + hkv) * d), p.product(t, hq * d), scores] {
            WeightAllocation.activationElements = p.sum(WeightAllocation.activationElements, n ?? Int.max) ?? Int.max
        }
        return c.returnAttentionScores ? [query, [hq, t, s]] : [query]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forward(inputs, masks: [], training: training).outputs
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        precondition(projections.count == 4, "GroupQueryAttention '\(name)' used before build")
        let c = config, hq = c.numQueryHeads, repeats = c.numQueryHeads / c.numKeyValueHeads
        let query = inputs[0], value = inputs[1], key = hasKey ? inputs[2] : value
        let batch = query.shape[0], t = query.shape[1], s = value.shape[1]
        let q = projectHeads(query, projections[0])
        let k = repeatHeads(projectHeads(key, projections[1]), heads: c.numKeyValueHeads, repeats: repeats)
        let v = repeatHeads(projectHeads(value, projections[2]), heads: c.numKeyValueHeads, repeats: repeats)
        let keep = kerasAttentionKeep(inputs, masks: masks, batch: batch, t: t, s: s, attentionMaskInput: c.attentionMaskInput,
                                      hasKey: hasKey, causal: c.useCausalMask)
        // Keras's explicit-softmax path (dropout or returned scores) zeroes masked probabilities.
        let fused = c.dropout == 0 && !c.returnAttentionScores
        let probs = attentionScores(q, k, heads: hq, scale: 1 / Float(c.headDim).squareRoot(), mask: keep.map(AttentionMask.init),
                                    zeroMasked: !fused)
        let dropped = c.dropout > 0 ? scoreDropout(probs, training: training) : probs
        let y = projectHeads(attentionCombine(dropped, v, heads: hq), projections[3])
        if let r = c.activityRegularizer { lossTerms.append(r.activityTerm(y)) }
        return (c.returnAttentionScores ? [y, probs] : [y], masks.firstMask)
    }
}

extension GroupQueryAttention: AttentionCallFlags {
    public var useCausalMask: Bool { config.useCausalMask }
    public var returnAttentionScores: Bool { config.returnAttentionScores }
}

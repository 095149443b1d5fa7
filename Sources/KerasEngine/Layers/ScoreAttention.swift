/// Keras's single-head attention layers, `Attention` (Luong) and `AdditiveAttention`
/// (Bahdanau): inputs `[query (B, Tq, dim), value (B, Tv, dv)]` or `[query, value, key
/// (B, Tv, dim)]` (key defaults to value), as Keras's `Attention.call`:
///
///     scores = score(query, key)                                   (B, Tq, Tv)
///     scores = where(keep, scores, scores − 1e9)                   keep = value mask ∧ causal
///     w = softmax(scores) (dropout on w in training);  y = w · value; y = where(query mask, y, 0)
///
/// The output carries the query's Keras mask; with `return_attention_scores` `w` is a second
/// output. Subclasses give the score and its weights (`AttentionScoring`).
public class ScoreAttention: Layer, MaskAware, RandomStateful {
    /// Options shared by both layers (Keras `Attention.__init__` and its call arguments).
    public struct Options {
        public var useScale: Bool
        /// Dropout rate on the attention weights (training only).
        public var dropout: Float = 0
        public var seed: Int?
        public var useCausalMask = false
        public var returnAttentionScores = false
        public init(useScale: Bool) { self.useScale = useScale }
    }

    public var name: String
    public let options: Options
    private let weightDropout: Dropout

    init(_ options: Options, name: String) {
        self.options = options
        self.name = name
        weightDropout = Dropout(rate: Swift.min(Swift.max(options.dropout, 0), 0.999), name: name + "/dropout")
    }

    public var typeName: String { "Attention" }
    public var parameters: [Parameter] { [] }
    public var randomState: RNG { get { weightDropout.randomState } set { weightDropout.randomState = newValue } }

    /// Creates the score's weights for queries of `dim` features (only when not built yet).
    func makeWeights(dim: Int, context: inout BuildContext) {}
    /// The scores (B, Tq, Tv) of query (B, Tq, dim) against key (B, Tv, dim).
    func scores(_ query: Tensor, _ key: Tensor) -> Tensor { preconditionFailure("ScoreAttention.scores is abstract") }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard options.dropout >= 0 && options.dropout < 1 else { throw ShapeError(layer: name, "dropout must be in [0, 1), got \(options.dropout)") }
        guard inputShapes.count == 2 || inputShapes.count == 3 else {
            throw ShapeError(layer: name, "\(typeName) layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: \(inputShapes.count).")
        }
        let (query, value, key) = try sequenceShapes(inputShapes, tensors: inputShapes.count, layer: name, typeName: typeName)
        guard key[1] == query[1] else {
            throw ShapeError(layer: name, "query and key need the same last dimension, got query \(kerasShape(query)) and key \(kerasShape(key))")
        }
        makeWeights(dim: query[1], context: &context)
        try weightDropout.build(inputShape: [query[0], key[0]], context: &context)
        let y = [query[0], value[1]]
        return options.returnAttentionScores ? [y, [query[0], key[0]]] : [y]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forward(inputs, masks: [], training: training).outputs
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : value
        let batch = query.shape[0], tq = query.shape[1], tv = value.shape[1]
        var s = scores(query, key)
        // Keras masks of (batch, steps) only (a mask of another shape has no steps to keep).
        let valueMask = masks.count > 1 ? masks[1].flatMap { $0.count == batch * tv ? $0 : nil } : nil
        if valueMask != nil || options.useCausalMask {
            // Keras subtracts 1e9 from the masked scores (so a fully masked row keeps the
            // softmax of its own scores shifted, uniform in float32).
            var padding = Tensor(shape: [batch, tq, tv])
            let pp = padding.freshPointer, pv = valueMask?.pointer
            for b in 0..<batch { for i in 0..<tq { for j in 0..<tv {
                let kept = (pv.map { $0[b * tv + j] != 0 } ?? true) && (!options.useCausalMask || j <= i)
                if !kept { pp[(b * tq + i) * tv + j] = 1e9 }
            } } }
            s = s - padding
        }
        let w = softmax(s, axis: -1)
        let dropped = options.dropout > 0 ? weightDropout(w, training: training) : w
        var y = batchDot(dropped, value, axes: (2, 1))
        let queryMask = masks.firstMask.flatMap { $0.count == batch * tq ? $0 : nil }
        if let queryMask { y = y * reshape(queryMask, [batch, tq, 1]) }
        return (options.returnAttentionScores ? [y, w] : [y], queryMask)
    }
}

/// Keras `Attention` (Luong-style): `score_mode` "dot" — `scores = query · keyᵀ`, times the
/// trainable scalar `scale` (initialized to 1) with `use_scale` — or "concat" —
/// `scores = concat_score_weight · Σ_d tanh(scale · (query_i + key_j))` (`scale` only with
/// `use_scale`; `concat_score_weight` a trainable scalar, initialized to 1). Weights, in
/// Keras's order: `scale` (with use_scale), `concat_score_weight` (with concat).
public final class Attention: ScoreAttention {
    public enum ScoreMode: String, CaseIterable, Sendable { case dot, concat }
    public struct Config {
        public var scoreMode: ScoreMode = .dot
        /// use_scale (default false), dropout, seed and the call arguments.
        public var options = Options(useScale: false)
        public init() {}
    }

    public let config: Config
    public private(set) var scale: Parameter?
    public private(set) var concatScoreWeight: Parameter?

    public init(_ config: Config = Config(), name: String = "attention") {
        self.config = config
        super.init(config.options, name: name)
    }

    public override var parameters: [Parameter] { [scale, concatScoreWeight].compactMap { $0 } }

    override func makeWeights(dim: Int, context: inout BuildContext) {
        if options.useScale, scale == nil { scale = Parameter(name: "\(name)/scale", value: Tensor(shape: [], repeating: 1)) }
        if config.scoreMode == .concat, concatScoreWeight == nil {
            concatScoreWeight = Parameter(name: "\(name)/concat_score_weight", value: Tensor(shape: [], repeating: 1))
        }
    }

    override func scores(_ query: Tensor, _ key: Tensor) -> Tensor {
        switch config.scoreMode {
        case .dot:
            let s = batchDot(query, key, axes: (2, 2))
            return scale.map { s * $0.value } ?? s
        case .concat:
            var sum = pairwiseSum(query, key)
            if let scale { sum = scale.value * sum }
            let s = Activation.tanh(sum)
            return concatScoreWeight!.value * reduceLast(s)
        }
    }
}

/// Keras `AdditiveAttention` (Bahdanau-style): `scores = Σ_d scale_d · tanh(query_i,d + key_j,d)`
/// with the trainable vector `scale` (dim,), glorot-uniform initialized, when `use_scale`
/// (Keras's default true), else 1. Weight: `scale`.
public final class AdditiveAttention: ScoreAttention {
    public struct Config {
        /// use_scale (default true), dropout, seed and the call arguments.
        public var options = Options(useScale: true)
        public init() {}
    }

    public let config: Config
    public private(set) var scale: Parameter?

    public init(_ config: Config = Config(), name: String = "additive_attention") {
        self.config = config
        super.init(config.options, name: name)
    }

    public override var typeName: String { "AdditiveAttention" }
    public override var parameters: [Parameter] { [scale].compactMap { $0 } }

    override func makeWeights(dim: Int, context: inout BuildContext) {
        guard options.useScale, scale == nil else { return }
        scale = Parameter(name: "\(name)/scale", value: Initializer.glorotUniform.make([dim], rng: &context.rng))
    }

    override func scores(_ query: Tensor, _ key: Tensor) -> Tensor {
        let t = Activation.tanh(pairwiseSum(query, key))
        return reduceLast(scale.map { t * $0.value } ?? t)
    }
}

/// `query_i + key_j` for every pair: (B, Tq, d) and (B, Tv, d) → (B, Tq, Tv, d).
private func pairwiseSum(_ query: Tensor, _ key: Tensor) -> Tensor {
    let b = query.shape[0], d = query.shape[2]
    return reshape(query, [b, query.shape[1], 1, d]) + reshape(key, [b, 1, key.shape[1], d])
}

/// The sum over the last axis.
private func reduceLast(_ x: Tensor) -> Tensor { sum(x, axis: x.rank - 1) }

/// The attention layers' boolean call arguments (Keras writes them into the call, not the
/// layer's config; `.keras` export puts them in the node's kwargs).
public protocol AttentionCallFlags: Layer {
    var useCausalMask: Bool { get }
    var returnAttentionScores: Bool { get }
}

extension ScoreAttention: AttentionCallFlags {
    public var useCausalMask: Bool { options.useCausalMask }
    public var returnAttentionScores: Bool { options.returnAttentionScores }
}

extension MultiHeadAttention: AttentionCallFlags {
    public var useCausalMask: Bool { config.useCausalMask }
    public var returnAttentionScores: Bool { config.returnAttentionScores }
}

/// The per-example shapes of query, value and key (default: value) among the first
/// `tensors` of `shapes`, checked as Keras's sequence attention layers need them:
/// (steps, features) each, key and value with the same steps.
func sequenceShapes(_ shapes: [[Int]], tensors: Int, layer: String, typeName: String) throws -> (query: [Int], value: [Int], key: [Int]) {
    let query = shapes[0], value = shapes[1], key = tensors == 3 ? shapes[2] : value
    guard query.count == 2, value.count == 2, key.count == 2 else {
        throw ShapeError(layer: layer, "\(typeName) takes (batch, steps, features) query, value and key, got query \(kerasShape(query)), value \(kerasShape(value)), key \(kerasShape(key))")
    }
    guard key[0] == value[0] else {
        throw ShapeError(layer: layer, "All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape=\(kerasShape(value)) and key_shape=\(kerasShape(key))")
    }
    return (query, value, key)
}

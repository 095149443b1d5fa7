/// Inference fusion (Keras TF does the same through Grappler's remapper): a convolution
/// followed by BatchNormalization in inference mode, and optionally by ReLU, ReLU(6) or swish,
/// runs as ONE oneDNN convolution whose kernel and bias carry the normalization:
///
///     s = γ / √(moving_variance + ε)
///     K'[..., o] = K[..., o] · s[o]          b'[o] = (b[o] − moving_mean[o]) · s[o] + β[o]
///
/// and whose activation is applied inside the kernel (a oneDNN post-op): no pass over the
/// convolution's output for the normalization and none for the activation. Only when
/// nothing is differentiated (no tracked input or weight) — training and fine-tuning run
/// the layers one by one. The folded weights are kept and made again only when a source
/// weight changed (its storage or ``TensorStorage/version``).
protocol FoldableConvolution: Layer {
    /// The kernel, whose last axis (or last two, flattened) is the output channel.
    var kernel: Parameter? { get }
    var bias: Parameter? { get }
    /// The layer's own activation: only a linear one can have a normalization folded in.
    var ownActivation: Activation { get }
    /// The layer's output for `x` computed with `kernel` and `bias` in place of its own and
    /// `post` applied by oneDNN; nil when oneDNN cannot (the layers then run one by one).
    func foldedForward(_ x: Tensor, kernel: Tensor, bias: Tensor, post: OneDNN.PostOp) -> Tensor?
}

extension Convolution: FoldableConvolution {
    var ownActivation: Activation { config.activation }
    func foldedForward(_ x: Tensor, kernel: Tensor, bias: Tensor, post: OneDNN.PostOp) -> Tensor? {
        guard let g = geometry(for: x) else { return nil }
        return OneDNN.conv2d(x, kernel, bias: bias, geometry: g, batch: x.shape[0], post: post,
                             outputShape: windowOutputShape(x, g, channels: g.outC))
    }
}

extension DepthwiseConvolution: FoldableConvolution {
    var ownActivation: Activation { config.activation }
    func foldedForward(_ x: Tensor, kernel: Tensor, bias: Tensor, post: OneDNN.PostOp) -> Tensor? {
        guard let g = geometry, x.count == x.shape[0] * g.inH * g.inW * g.inC else { return nil }
        return OneDNN.conv2d(x, kernel, bias: bias, geometry: g, batch: x.shape[0], post: post,
                             outputShape: windowOutputShape(x, g, channels: g.outC))
    }
}

/// The chain that `head` (a node or layer index, and its layer) starts, given the layer that alone
/// reads its output and the one that alone reads that layer's (nil where there is none, or
/// the reader shares the output with other readers or the model's outputs): a linear
/// convolution → BatchNormalization (→ a fusable activation), BatchNormalization → a
/// fusable activation, or a first Conv2D → 2×2 max pooling. Functional graphs and Sequential
/// stacks find their chains with it.
func inferenceChain(_ head: (Int, any Layer), _ next: (Int, any Layer)?, _ after: (Int, any Layer)?) -> (any InferenceChain)? {
    if let conv = head.1 as? any FoldableConvolution, conv.ownActivation == .linear,
       let (j, second) = next, let norm = second as? BatchNormalization {
        if let (k, third) = after, let post = ConvolutionChain.postOp(third) {
            return ConvolutionChain(nodes: [head.0, j, k], conv: conv, norm: norm, post: post)
        }
        return ConvolutionChain(nodes: [head.0, j], conv: conv, norm: norm, post: .none)
    }
    if let norm = head.1 as? BatchNormalization, let (k, second) = next, let post = ConvolutionChain.postOp(second) {
        return NormalizationChain(nodes: [head.0, k], norm: norm, post: post)
    }
    if let conv = head.1 as? Convolution, let (k, second) = next, let pool = second as? Pooling, conv.poolGeometry(pool) != nil {
        return PooledConvolutionChain(nodes: [head.0, k], conv: conv, pool: pool)
    }
    return nil
}

/// A first Conv2D (ReLU or linear) and the 2×2 max pooling that alone reads it, at inference
/// as the training op's forward (``conv2dMaxPool``): the convolution's output is never stored.
final class PooledConvolutionChain: InferenceChain {
    let nodes: [Int]
    let conv: Convolution
    let pool: Pooling

    init(nodes: [Int], conv: Convolution, pool: Pooling) { self.nodes = nodes; self.conv = conv; self.pool = pool }

    func run(_ x: Tensor) -> Tensor? { conv.fusedPooledForward(x, pool) }
}

/// Nodes of a functional graph (layers of a Sequential stack) that inference runs as one step.
protocol InferenceChain: AnyObject {
    /// Node indices, in graph order; the last one's output is the chain's.
    var nodes: [Int] { get }
    /// The chain's output for `x`, or nil when it must run layer by layer.
    func run(_ x: Tensor) -> Tensor?
}

/// BatchNormalization (inference) → ReLU/ReLU(6)/swish as one pass over the tensor, for
/// normalizations no convolution takes in (DenseNet's and ResNet v2's pre-activations).
final class NormalizationChain: InferenceChain {
    let nodes: [Int]
    let norm: BatchNormalization
    let post: OneDNN.PostOp

    init(nodes: [Int], norm: BatchNormalization, post: OneDNN.PostOp) { self.nodes = nodes; self.norm = norm; self.post = post }

    func run(_ x: Tensor) -> Tensor? {
        guard !x.isTracked, let mean = norm.movingMean?.value, let variance = norm.movingVariance?.value,
              let c = x.shape.last, mean.count == c, variance.count == c,
              norm.parameters.allSatisfy({ !$0.value.isTracked }) else { return nil }
        return batchNormInference(x, mean: mean, variance: variance, gamma: norm.gamma?.value, beta: norm.beta?.value,
                                  epsilon: norm.config.epsilon, post: post)
    }
}

/// One fused chain of a functional graph: node indices (convolution, normalization[,
/// activation]) and the folded weights.
final class ConvolutionChain: InferenceChain {
    let nodes: [Int]
    let conv: any FoldableConvolution
    let norm: BatchNormalization
    let post: OneDNN.PostOp
    private var sources: [(storage: TensorStorage, version: Int)?] = []
    private var kernel: Tensor?
    private var bias: Tensor?

    init(nodes: [Int], conv: any FoldableConvolution, norm: BatchNormalization, post: OneDNN.PostOp) {
        self.nodes = nodes; self.conv = conv; self.norm = norm; self.post = post
    }

    /// The activation oneDNN can apply for an activation layer; nil for any other layer.
    static func postOp(_ layer: any Layer) -> OneDNN.PostOp? {
        let activation = (layer as? any ActivationFunctionLayer)?.activation ?? (layer as? ActivationLayer)?.activation
        switch activation {
        case .relu(0, nil, 0)?: return .relu
        case .relu(0, 6, 0)?, .relu6?: return .clip(low: 0, high: 6)
        case .silu?: return .swish
        default: return nil
        }
    }

    /// The chain's output for `x`, or nil when it must run layer by layer.
    func run(_ x: Tensor) -> Tensor? {
        guard OneDNN.enabled, !x.isTracked, conv.ownActivation == .linear, let k = conv.kernel,
              let mean = norm.movingMean, let variance = norm.movingVariance else { return nil }
        let weights = [k, conv.bias, norm.gamma, norm.beta, mean, variance]
        guard weights.allSatisfy({ $0?.value.isTracked != true }) else { return nil }
        let now: [(storage: TensorStorage, version: Int)?] = weights.map { $0.map { ($0.value.storage, $0.value.storage.version) } }
        let same = now.count == sources.count && zip(now, sources).allSatisfy { a, b in
            a?.storage === b?.storage && a?.version == b?.version
        }
        if !same || kernel == nil || bias == nil { fold(k.value, conv.bias?.value, mean.value, variance.value) }
        sources = now
        guard let kernel, let bias else { return nil }
        return conv.foldedForward(x, kernel: kernel, bias: bias, post: post)
    }

    /// K' and b' (above), written into the kept tensors when they have the same size, so
    /// oneDNN's cached reorder of the kernel is refreshed in place.
    private func fold(_ k: Tensor, _ b: Tensor?, _ mean: Tensor, _ variance: Tensor) {
        let oc = mean.count
        guard oc > 0, k.count % oc == 0, b.map({ $0.count == oc }) ?? true, variance.count == oc,
              norm.gamma.map({ $0.value.count == oc }) ?? true, norm.beta.map({ $0.value.count == oc }) ?? true
        else { kernel = nil; bias = nil; return }
        var scale = inverseStd(variance, norm.config.epsilon)
        norm.gamma?.value.withData { g in for o in 0..<oc { scale[o] *= g[o] } }
        var kk = kernel.flatMap { $0.count == k.count ? $0 : nil } ?? Tensor(uninitializedShape: k.shape)
        kernel = nil
        kk.withMutableData { out in
            k.withData { src in
                for r in 0..<(k.count / oc) { for o in 0..<oc { out[r * oc + o] = src[r * oc + o] * scale[o] } }
            }
        }
        var bb = bias.flatMap { $0.count == oc ? $0 : nil } ?? Tensor(uninitializedShape: [oc])
        bias = nil
        bb.withMutableData { out in
            mean.withData { m in
                for o in 0..<oc { out[o] = ((b?.pointer[o] ?? 0) - m[o]) * scale[o] }
            }
            norm.beta?.value.withData { beta in for o in 0..<oc { out[o] += beta[o] } }
        }
        kernel = kk
        bias = bb
    }
}

/// Layer pairs that run as one op in training when the second layer alone reads the first's
/// output (Sequential stacks and functional graphs find them with it):
/// - BatchNormalization → a ReLU or clip activation: one pass
///   (``BatchNormalization/trainingForward(_:post:)``);
/// - a Conv2D with a ReLU or no activation → MaxPooling2D 2×2: the pooled output straight
///   from the convolution, whose own output is never stored, for a first layer
///   (``conv2dMaxPool``); elsewhere, with a ReLU, the ReLU's gradient mask applied on the
///   pooled gradient.
enum TrainingPair {
    /// Whether `head` → `next` can run as one op (asked once, when a model is built).
    static func fuses(_ head: any Layer, _ next: any Layer) -> Bool {
        if head is BatchNormalization { return BatchNormalization.fusedTrainingPost(next) != nil }
        if let conv = head as? Convolution, let pool = next as? Pooling { return conv.poolGeometry(pool) != nil }
        return false
    }

    /// `next(head(x))` as one op, or nil when this input does not allow it (the caller then
    /// runs the layers one by one).
    static func run(_ head: any Layer, _ next: any Layer, _ x: Tensor) -> Tensor? {
        if let norm = head as? BatchNormalization, let post = BatchNormalization.fusedTrainingPost(next) {
            return norm.trainingForward(x, post: post)
        }
        if let conv = head as? Convolution, let pool = next as? Pooling { return conv.pooledForward(x, pool) }
        return nil
    }
}

extension Convolution {
    /// The geometry of `pool` when this Conv2D and it can run as ``conv2dMaxPool``: a ReLU
    /// or linear activation with no activity regularizer (the convolution's output is never
    /// stored), and a 2×2/2 "valid" max pooling.
    func poolGeometry(_ pool: Pooling) -> ConvGeometry? {
        guard config.rank == 2, pool.config.kind == .max, pool.config.rank == 2,
              config.activation == .relu() || config.activation == .linear,
              config.weightOptions.activityRegularizer == nil,
              let p = pool.builtGeometry, p.isPairPool else { return nil }
        return p
    }

    /// This layer and `pool` on `x`: as one op (``conv2dMaxPool``) where it applies, else
    /// with a ReLU's gradient mask applied by the pooling's backward on the pooled gradient
    /// instead of by the convolution's on its whole output; nil for a linear convolution that
    /// ``conv2dMaxPool`` does not take (nothing to save: the layers run one by one).
    func pooledForward(_ x: Tensor, _ pool: Pooling) -> Tensor? {
        if let y = fusedPooledForward(x, pool) { return y }
        guard config.activation == .relu(), let p = poolGeometry(pool), let g = geometry(for: x), let kernel = kernel?.value,
              p.inH == g.outH, p.inW == g.outW, p.inC == g.outC else { return nil }
        let y = conv2d(x, kernel, bias: bias?.value, geometry: g, fuseReLU: true, gradientMasked: true)
        return maxPool2d(y, geometry: p, maskByOutput: true)
    }

    /// This layer and `pool` on `x` as ``conv2dMaxPool``, or nil where it does not apply.
    func fusedPooledForward(_ x: Tensor, _ pool: Pooling) -> Tensor? {
        guard let p = poolGeometry(pool), let g = geometry(for: x), let kernel = kernel?.value else { return nil }
        return conv2dMaxPool(x, kernel, bias: bias?.value, geometry: g, relu: config.activation == .relu(), pool: p)
    }
}

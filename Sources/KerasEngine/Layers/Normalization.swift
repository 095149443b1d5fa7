/// Keras `BatchNormalization` over the last axis (channels):
///
///     training:  y = γ·(x − μ_B)/√(σ²_B + ε) + β,  moving = moving·momentum + batch·(1 − momentum)
///     inference: y = γ·(x − moving_mean)/√(moving_variance + ε) + β
///
/// μ_B, σ²_B are the mean and biased variance over every other axis. Weights (Keras
/// order): gamma, beta (trainable, when scale/center), moving_mean, moving_variance
/// (non-trainable, counted and saved).
public final class BatchNormalization: UnaryLayer {
    @dynamicMemberLookup
    public struct Config: ComposesScaleOffsetOptions {
        /// Only -1 (the last axis) is supported.
        public var axis = -1
        public var momentum: Float = 0.99
        public var epsilon: Float = 1e-3
        public var movingMeanInitializer: Initializer = .zeros
        public var movingVarianceInitializer: Initializer = .ones
        /// center, scale, gamma/beta initializers, regularizers, constraints.
        public var scaleOffset = ScaleOffsetOptions()
        public init() {}
    }

    public var name: String
    public let config: Config
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter?
    public private(set) var movingVariance: Parameter?

    public init(_ config: Config = Config(), name: String = "batch_normalization") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let c = inputShape.last, c > 0 else {
            throw ShapeError(layer: name, "BatchNormalization needs an input with at least one axis, got \(kerasShape(inputShape))")
        }
        guard config.axis == -1 || config.axis == inputShape.count else {
            throw ShapeError(layer: name, "BatchNormalization supports only axis -1 (channels last), got axis \(config.axis) for input \(kerasShape(inputShape))")
        }
        if let m = movingMean, m.count != c {
            throw ShapeError(layer: name, "BatchNormalization was built for \(m.count) channels, got \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard movingMean == nil, let c = inputShape.last else { return }
        gamma = config.scaleOffset.makeGamma(layer: name, shape: [c], rng: &context.rng)
        beta = config.scaleOffset.makeBeta(layer: name, shape: [c], rng: &context.rng)
        movingMean = Parameter(name: "\(name)/moving_mean", value: config.movingMeanInitializer.make([c], rng: &context.rng),
                               trainable: false)
        movingVariance = Parameter(name: "\(name)/moving_variance",
                                   value: config.movingVarianceInitializer.make([c], rng: &context.rng), trainable: false)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let movingMean, let movingVariance else { preconditionFailure("BatchNormalization '\(name)' used before build") }
        guard training else {
            return batchNormInference(x, mean: movingMean.value.detached, variance: movingVariance.value.detached,
                                      gamma: gamma?.value, beta: beta?.value, epsilon: config.epsilon)
        }
        return trainingForward(x, post: .none)
    }

    /// The training forward pass with `post` (ReLU or a clip: a following activation layer)
    /// applied in the normalization's pass and masked in its backward's; updates the moving
    /// statistics.
    func trainingForward(_ x: Tensor, post: OneDNN.PostOp) -> Tensor {
        guard let movingMean, let movingVariance else { preconditionFailure("BatchNormalization '\(name)' used before build") }
        let (y, mean, variance) = batchNormTraining(x, gamma: gamma?.value, beta: beta?.value, epsilon: config.epsilon, post: post)
        let m = config.momentum
        func update(_ p: Parameter, _ batch: [Float]) {
            var v = p.value.detached
            v.withMutableData { d in for i in 0..<Swift.min(d.count, batch.count) { d[i] = d[i] * m + batch[i] * (1 - m) } }
            p.value = v
        }
        update(movingMean, mean)
        update(movingVariance, variance)
        return y
    }
}

extension BatchNormalization {
    /// The activation a training forward pass can apply in its own pass for `next`, the layer
    /// reading its output: ReLU and ReLU(6)-style clips (whose gradient masks come from the
    /// output); nil for any other layer.
    static func fusedTrainingPost(_ next: any Layer) -> OneDNN.PostOp? {
        switch ConvolutionChain.postOp(next) {
        case .relu?: return .relu
        case let .clip(low, high)?: return .clip(low: low, high: high)
        default: return nil
        }
    }
}

extension BatchNormalization: BatchStatistics {
    public var batchStatistics: [Parameter] { [movingMean, movingVariance].compactMap { $0 } }
}

/// Keras `LayerNormalization` over any feature axes (default the last):
///
///     y = γ·(x − mean)/√(var + ε) + β          (rms_scaling: y = γ·x/√(var + ε))
///
/// with mean and (biased) variance over the normalized axes of each example; gamma and
/// beta have the shape of those axes (in increasing axis order). Weights: gamma (when
/// scale or rms_scaling), beta (when center and not rms_scaling). Axes other than the
/// trailing ones are moved last for the op and back after it.
public final class LayerNormalization: UnaryLayer {
    @dynamicMemberLookup
    public struct Config: ComposesScaleOffsetOptions {
        /// Axes to normalize (counting the batch as 0; negative counts from the end).
        public var axis: [Int] = [-1]
        public var epsilon: Float = 1e-3
        /// Keras's `rms_scaling`: scale by 1/√(var + ε) without centring; no beta.
        public var rmsScaling = false
        /// center, scale, gamma/beta initializers, regularizers, constraints.
        public var scaleOffset = ScaleOffsetOptions()
        public init(axis: [Int] = [-1]) { self.axis = axis }
    }

    public var name: String
    public let config: Config
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    private var axes: NormalizedAxes?

    public init(_ config: Config = Config(), name: String = "layer_normalization") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let a = try NormalizedAxes(config.axis, inputShape: inputShape, layer: name, kind: "LayerNormalization")
        if let g = gamma ?? beta, g.shape != a.shape {
            throw ShapeError(layer: name, "LayerNormalization was built for \(g.shape), got \(kerasShape(inputShape))")
        }
        axes = a
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard gamma == nil && beta == nil, let normalizedShape = axes?.shape else { return }
        gamma = config.scaleOffset.makeGamma(layer: name, shape: normalizedShape, rng: &context.rng, force: config.rmsScaling)
        if !config.rmsScaling { beta = config.scaleOffset.makeBeta(layer: name, shape: normalizedShape, rng: &context.rng) }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let axes else { preconditionFailure("LayerNormalization '\(name)' used before build") }
        return axes.apply(x) { v in
            layerNorm(v, normalizedCount: axes.shape.reduce(1, *), gamma: gamma?.value, beta: beta?.value,
                      epsilon: config.epsilon, rms: config.rmsScaling)
        }
    }
}

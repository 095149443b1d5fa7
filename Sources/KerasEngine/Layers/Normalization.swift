/// Keras `BatchNormalization` over the last axis (channels):
///
///     training:  y = γ·(x − μ_B)/√(σ²_B + ε) + β,  moving = moving·momentum + batch·(1 − momentum)
///     inference: y = γ·(x − moving_mean)/√(moving_variance + ε) + β
///
/// μ_B, σ²_B are the mean and biased variance over every other axis. Weights (Keras
/// order): gamma, beta (trainable, when scale/center), moving_mean, moving_variance
/// (non-trainable, counted and saved).
public final class BatchNormalization: UnaryLayer {
    public struct Config {
        /// Only -1 (the last axis) is supported.
        public var axis = -1
        public var momentum: Float = 0.99
        public var epsilon: Float = 1e-3
        public var center = true
        public var scale = true
        public var betaInitializer: Initializer = .zeros
        public var gammaInitializer: Initializer = .ones
        public var movingMeanInitializer: Initializer = .zeros
        public var movingVarianceInitializer: Initializer = .ones
        public var betaRegularizer: (any Regularizer)?
        public var gammaRegularizer: (any Regularizer)?
        public var betaConstraint: (any Constraint)?
        public var gammaConstraint: (any Constraint)?
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
        if config.scale {
            gamma = Parameter(name: "\(name)/gamma", value: config.gammaInitializer.make([c], rng: &context.rng),
                              regularizer: config.gammaRegularizer, constraint: config.gammaConstraint)
        }
        if config.center {
            beta = Parameter(name: "\(name)/beta", value: config.betaInitializer.make([c], rng: &context.rng),
                             regularizer: config.betaRegularizer, constraint: config.betaConstraint)
        }
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
        let (y, mean, variance) = batchNormTraining(x, gamma: gamma?.value, beta: beta?.value, epsilon: config.epsilon)
        let m = config.momentum
        func update(_ p: Parameter, _ batch: [Float]) {
            var v = p.value.detached
            v.withMutableData { d in for i in 0..<d.count { d[i] = d[i] * m + batch[i] * (1 - m) } }
            p.value = v
        }
        update(movingMean, mean)
        update(movingVariance, variance)
        return y
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
    public struct Config {
        /// Axes to normalize (counting the batch as 0; negative counts from the end).
        public var axis: [Int] = [-1]
        public var epsilon: Float = 1e-3
        public var center = true
        public var scale = true
        /// Keras's `rms_scaling`: scale by 1/√(var + ε) without centring; no beta.
        public var rmsScaling = false
        public var betaInitializer: Initializer = .zeros
        public var gammaInitializer: Initializer = .ones
        public var betaRegularizer: (any Regularizer)?
        public var gammaRegularizer: (any Regularizer)?
        public var betaConstraint: (any Constraint)?
        public var gammaConstraint: (any Constraint)?
        public init(axis: [Int] = [-1]) { self.axis = axis }
    }

    public var name: String
    public let config: Config
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    private var normalizedShape: [Int] = []
    /// The permutation (batch included) moving the normalized axes last; nil when they are.
    private var permutation: [Int]?

    public init(_ config: Config = Config(), name: String = "layer_normalization") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        // Axes count the batch as axis 0 (Keras); convert to per-example positions.
        let full = inputShape.count + 1
        let axes = Set(config.axis.map { $0 < 0 ? $0 + full : $0 })
        guard !axes.isEmpty, axes.count == config.axis.count, axes.allSatisfy({ $0 >= 1 && $0 < full }) else {
            throw ShapeError(layer: name, "LayerNormalization axis \(config.axis) is out of range (or repeats an axis) for input \(kerasShape(inputShape))")
        }
        let sorted = axes.sorted()
        let shape = sorted.map { inputShape[$0 - 1] }
        if let g = gamma ?? beta, g.shape != shape {
            throw ShapeError(layer: name, "LayerNormalization was built for \(g.shape), got \(kerasShape(inputShape))")
        }
        normalizedShape = shape
        let rest = (0..<full).filter { !axes.contains($0) }
        permutation = sorted == Array((full - axes.count)..<full) ? nil : rest + sorted
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard gamma == nil && beta == nil else { return }
        if config.scale || config.rmsScaling {
            gamma = Parameter(name: "\(name)/gamma", value: config.gammaInitializer.make(normalizedShape, rng: &context.rng),
                              regularizer: config.gammaRegularizer, constraint: config.gammaConstraint)
        }
        if config.center && !config.rmsScaling {
            beta = Parameter(name: "\(name)/beta", value: config.betaInitializer.make(normalizedShape, rng: &context.rng),
                             regularizer: config.betaRegularizer, constraint: config.betaConstraint)
        }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        func norm(_ v: Tensor) -> Tensor {
            layerNorm(v, normalizedCount: normalizedShape.reduce(1, *), gamma: gamma?.value, beta: beta?.value,
                      epsilon: config.epsilon, rms: config.rmsScaling)
        }
        guard let perm = permutation else { return norm(x) }
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return transpose(norm(transpose(x, perm)), inverse)
    }
}

/// Keras's activation layers (`keras/src/layers/activations/`): `ReLU`, `LeakyReLU`,
/// `ELU` and Keras 2's `ThresholdedReLU` apply a fixed function, written once in
/// ``Activation`` (its op carries the backward); `PReLU` learns its negative slope.

/// A layer that applies one fixed ``Activation`` elementwise: no weights, any shape.
public protocol ActivationFunctionLayer: UnaryLayer {
    /// The function this layer's config stands for.
    var activation: Activation { get }
}

extension ActivationFunctionLayer {
    public var parameters: [Parameter] { [] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { activation(x) }
}

/// Keras `ReLU` (Keras's `ReLU.static_call`), with `t` = threshold, `m` = max_value
/// (none: ∞) and `s` = negative_slope:
///
///     y = min(x, m)        for x > t
///     y = s · (x − t)      for x ≤ t
///
/// Defaults: max_value none, negative_slope 0, threshold 0 (plain max(x, 0)); all must
/// be ≥ 0. `ReLU(6)` is relu6.
public final class ReLU: ActivationFunctionLayer {
    public struct Config: Equatable {
        public var maxValue: Float?
        public var negativeSlope: Float = 0
        public var threshold: Float = 0
        public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0) {
            self.maxValue = maxValue; self.negativeSlope = negativeSlope; self.threshold = threshold
        }
    }
    public var name: String
    public let config: Config
    public init(_ config: Config = Config(), name: String = "re_lu") { self.config = config; self.name = name }
    public var activation: Activation {
        .relu(negativeSlope: config.negativeSlope, maxValue: config.maxValue, threshold: config.threshold)
    }
}

/// Keras `LeakyReLU`: y = x for x > 0, negative_slope · x otherwise; default slope 0.3
/// (the layer's; the `leaky_relu` function's is 0.2). Keras 2 called the slope `alpha`.
public final class LeakyReLU: ActivationFunctionLayer {
    public struct Config: Equatable {
        public var negativeSlope: Float = 0.3
        public init(negativeSlope: Float = 0.3) { self.negativeSlope = negativeSlope }
    }
    public var name: String
    public let config: Config
    public init(_ config: Config = Config(), name: String = "leaky_re_lu") { self.config = config; self.name = name }
    public var activation: Activation { .leakyRelu(negativeSlope: config.negativeSlope) }
}

/// Keras `ELU`: y = x for x > 0, alpha · (eˣ − 1) otherwise; default alpha 1.
public final class ELU: ActivationFunctionLayer {
    public struct Config: Equatable {
        public var alpha: Float = 1
        public init(alpha: Float = 1) { self.alpha = alpha }
    }
    public var name: String
    public let config: Config
    public init(_ config: Config = Config(), name: String = "elu") { self.config = config; self.name = name }
    public var activation: Activation { .elu(alpha: config.alpha) }
}

/// Keras 2's `ThresholdedReLU` (removed in Keras 3; read from legacy files): y = x for
/// x > theta, 0 otherwise; default theta 1, theta ≥ 0. The same function as Keras 3's
/// `ReLU(threshold=theta)`, which is what `.keras` export writes.
public final class ThresholdedReLU: ActivationFunctionLayer {
    public struct Config: Equatable {
        public var theta: Float = 1
        public init(theta: Float = 1) { self.theta = theta }
    }
    public var name: String
    public let config: Config
    public init(_ config: Config = Config(), name: String = "thresholded_re_lu") { self.config = config; self.name = name }
    public var activation: Activation { .relu(threshold: config.theta) }
}

/// Keras `PReLU`: y = max(x, 0) − α · max(−x, 0), α a trainable weight of the input's
/// shape (batch excluded) with each axis in `shared_axes` (1-based, the batch is 0) set
/// to 1, so one slope serves the whole axis. Defaults: alpha_initializer zeros, no
/// regularizer, no constraint, no shared axes. Weight: alpha.
public final class PReLU: UnaryLayer {
    public struct Config {
        public var alphaInitializer: Initializer = .zeros
        public var alphaRegularizer: (any Regularizer)?
        public var alphaConstraint: (any Constraint)?
        /// 1-based axes sharing one α (Keras's `shared_axes`); empty: none.
        public var sharedAxes: [Int] = []
        public init(sharedAxes: [Int] = []) { self.sharedAxes = sharedAxes }
    }

    public var name: String
    public let config: Config
    public private(set) var alpha: Parameter?

    public init(_ config: Config = Config(), name: String = "p_re_lu") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [alpha].compactMap { $0 } }

    /// α's shape for an input of per-example shape `inputShape`.
    func alphaShape(_ inputShape: [Int]) throws -> [Int] {
        var shape = inputShape
        for a in config.sharedAxes {
            guard a >= 1 && a <= inputShape.count else {
                throw ShapeError(layer: name, "PReLU shared_axes \(config.sharedAxes) must name axes 1...\(inputShape.count) of input \(kerasShape(inputShape))")
            }
            shape[a - 1] = 1
        }
        return shape
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let shape = try alphaShape(inputShape)
        if let alpha, alpha.shape != shape {
            throw ShapeError(layer: name, "PReLU was built for alpha of shape \(kerasShape(alpha.shape)), got input \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard alpha == nil else { return }
        let shape = try alphaShape(inputShape)
        alpha = Parameter(name: "\(name)/alpha", value: config.alphaInitializer.make(shape, rng: &context.rng),
                          regularizer: config.alphaRegularizer, constraint: config.alphaConstraint)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let alpha else { preconditionFailure("PReLU '\(name)' used before build") }
        let a = reshape(alpha.value, [1] + alpha.shape)
        return relu(x) - a * relu(-x)
    }
}

/// Keras `Dense`: `activation(x · kernel + bias)` over the last axis.
public final class Dense: UnaryLayer, LossContributing {
    public struct Config {
        public var units: Int
        public var activation: Activation = .linear
        public var useBias = true
        public var kernelInitializer: Initializer = .glorotUniform
        public var biasInitializer: Initializer = .zeros
        public var kernelRegularizer: (any Regularizer)?
        public var biasRegularizer: (any Regularizer)?
        public var activityRegularizer: (any Regularizer)?
        public init(units: Int, activation: Activation = .linear) { self.units = units; self.activation = activation }
    }

    public var name: String
    public let config: Config
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []

    public init(_ config: Config, name: String = "dense") {
        precondition(config.units > 0, "Dense units must be positive")
        self.config = config
        self.name = name
    }

    public convenience init(units: Int, activation: Activation = .linear, name: String = "dense") {
        self.init(Config(units: units, activation: activation), name: name)
    }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw ShapeError(layer: name, "Dense needs an input with at least one axis, got \(kerasShape(inputShape))")
        }
        if let k = kernel, k.shape[0] != last {
            throw ShapeError(layer: name, "expected input with last axis \(k.shape[0]), got \(kerasShape(inputShape))")
        }
        return inputShape.dropLast() + [config.units]
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard kernel == nil, let last = inputShape.last else { return }
        kernel = Parameter(name: "\(name)/kernel", value: config.kernelInitializer.make([last, config.units], rng: &context.rng),
                           regularizer: config.kernelRegularizer)
        if config.useBias {
            bias = Parameter(name: "\(name)/bias", value: config.biasInitializer.make([config.units], rng: &context.rng),
                             regularizer: config.biasRegularizer)
        }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let kernel else { preconditionFailure("Dense '\(name)' used before build") }
        var y = matmul(x, kernel.value)
        if let bias, config.activation == .relu() {
            y = biasAddRelu(y, bias.value)
        } else {
            if let bias { y = biasAdd(y, bias.value) }
            y = config.activation(y)
        }
        if let r = config.activityRegularizer { lossTerms.append(r.penalty(y) * (1 / Float(Swift.max(y.batchSize, 1)))) }
        return y
    }
}

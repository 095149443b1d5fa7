/// Keras `Dense`: `activation(x · kernel + bias)` over the last axis.
public final class Dense: UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesWeightOptions {
        public var units: Int
        public var weightOptions: WeightOptions
        public init(units: Int, activation: Activation = .linear) { self.units = units; weightOptions = WeightOptions(activation: activation) }
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
        (kernel, bias) = config.weightOptions.makeWeights(layer: name, kernelShape: [last, config.units], biasShape: [config.units],
                                                          rng: &context.rng)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let kernel else { preconditionFailure("Dense '\(name)' used before build") }
        let y = matmul(x, kernel.value)
        if let bias, config.activation == .relu() {
            return config.weightOptions.activate(biasAddRelu(y, bias.value), lossTerms: &lossTerms, skipActivation: true)
        }
        return config.weightOptions.activate(bias.map { biasAdd(y, $0.value) } ?? y, lossTerms: &lossTerms)
    }
}

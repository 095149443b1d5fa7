/// Keras `SimpleRNN`: h_t = activation(x_t·W + h_{t-1}·U + b). Weights: kernel
/// (features, units), recurrent_kernel (units, units), bias (units).
public final class SimpleRNN: RecurrentLayer {
    public struct Config {
        public var units: Int
        public var activation: Activation = .tanh
        public var useBias = true
        public var kernelInitializer: Initializer = .glorotUniform
        public var recurrentInitializer: Initializer = .orthogonal()
        public var biasInitializer: Initializer = .zeros
        public var kernelRegularizer: (any Regularizer)?
        public var recurrentRegularizer: (any Regularizer)?
        public var biasRegularizer: (any Regularizer)?
        public var activityRegularizer: (any Regularizer)?
        public var dropout: Float = 0
        public var recurrentDropout: Float = 0
        public var seed: UInt64?
        public var returnSequences = false
        public var returnState = false
        public var goBackwards = false
        public init(units: Int) { self.units = units }
    }

    public let config: Config

    public init(_ config: Config, name: String = "simple_rnn") {
        self.config = config
        super.init(name: name, options: Options(
            kind: .simple, units: config.units, activation: config.activation, recurrentActivation: .sigmoid,
            useBias: config.useBias, kernelInitializer: config.kernelInitializer, recurrentInitializer: config.recurrentInitializer,
            biasInitializer: config.biasInitializer, unitForgetBias: false,
            kernelRegularizer: config.kernelRegularizer, recurrentRegularizer: config.recurrentRegularizer,
            biasRegularizer: config.biasRegularizer, activityRegularizer: config.activityRegularizer,
            dropout: Swift.min(1, Swift.max(0, config.dropout)), recurrentDropout: Swift.min(1, Swift.max(0, config.recurrentDropout)),
            seed: config.seed, returnSequences: config.returnSequences, returnState: config.returnState, goBackwards: config.goBackwards))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "simple_rnn") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "simple_rnn_cell" }
    override func reversedCopy(name: String) -> RecurrentLayer {
        var c = config; c.goBackwards.toggle()
        return SimpleRNN(c, name: name)
    }
}

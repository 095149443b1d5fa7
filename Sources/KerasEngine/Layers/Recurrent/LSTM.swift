/// Keras `LSTM`. Per step, with a = x_t·W + h_{t-1}·U + b split into (i, f, c, o) blocks:
/// i, f, o = recurrent_activation(a_i, a_f, a_o), c_t = f⊙c_{t-1} + i⊙activation(a_c),
/// h_t = o⊙activation(c_t). Weights: kernel (features, 4·units), recurrent_kernel
/// (units, 4·units), bias (4·units), the forget block initialised to 1 (unit_forget_bias).
public final class LSTM: RecurrentLayer {
    public struct Config {
        public var units: Int
        public var activation: Activation = .tanh
        public var recurrentActivation: Activation = .sigmoid
        public var useBias = true
        public var kernelInitializer: Initializer = .glorotUniform
        public var recurrentInitializer: Initializer = .orthogonal()
        public var biasInitializer: Initializer = .zeros
        public var unitForgetBias = true
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

    public init(_ config: Config, name: String = "lstm") {
        self.config = config
        super.init(name: name, options: Options(
            kind: .lstm, units: config.units, activation: config.activation, recurrentActivation: config.recurrentActivation,
            useBias: config.useBias, kernelInitializer: config.kernelInitializer, recurrentInitializer: config.recurrentInitializer,
            biasInitializer: config.biasInitializer, unitForgetBias: config.unitForgetBias,
            kernelRegularizer: config.kernelRegularizer, recurrentRegularizer: config.recurrentRegularizer,
            biasRegularizer: config.biasRegularizer, activityRegularizer: config.activityRegularizer,
            dropout: Swift.min(1, Swift.max(0, config.dropout)), recurrentDropout: Swift.min(1, Swift.max(0, config.recurrentDropout)),
            seed: config.seed, returnSequences: config.returnSequences, returnState: config.returnState, goBackwards: config.goBackwards))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "lstm") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "lstm_cell" }
    override func reversedCopy(name: String) -> RecurrentLayer {
        var c = config; c.goBackwards.toggle()
        return LSTM(c, name: name)
    }
}

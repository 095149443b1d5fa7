/// Keras `GRU`. Per step, with x_t·W + b_x split into (x_z, x_r, x_h) blocks:
/// z, r = recurrent_activation(x_z + h_{t-1}·U_z (+ b_rz), x_r + h_{t-1}·U_r (+ b_rr));
/// reset_after (default): h̃ = activation(x_h + r⊙(h_{t-1}·U_h + b_rh)), bias (2, 3·units);
/// otherwise h̃ = activation(x_h + (r⊙h_{t-1})·U_h), bias (3·units);
/// h_t = z⊙h_{t-1} + (1-z)⊙h̃. Weights: kernel (features, 3·units), recurrent_kernel (units, 3·units), bias.
public final class GRU: RecurrentLayer {
    public struct Config {
        public var units: Int
        public var activation: Activation = .tanh
        public var recurrentActivation: Activation = .sigmoid
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
        public var resetAfter = true
        public init(units: Int) { self.units = units }
    }

    public let config: Config

    public init(_ config: Config, name: String = "gru") {
        self.config = config
        super.init(name: name, options: Options(
            kind: .gru(resetAfter: config.resetAfter), units: config.units, activation: config.activation,
            recurrentActivation: config.recurrentActivation, useBias: config.useBias, kernelInitializer: config.kernelInitializer,
            recurrentInitializer: config.recurrentInitializer, biasInitializer: config.biasInitializer, unitForgetBias: false,
            kernelRegularizer: config.kernelRegularizer, recurrentRegularizer: config.recurrentRegularizer,
            biasRegularizer: config.biasRegularizer, activityRegularizer: config.activityRegularizer,
            dropout: Swift.min(1, Swift.max(0, config.dropout)), recurrentDropout: Swift.min(1, Swift.max(0, config.recurrentDropout)),
            seed: config.seed, returnSequences: config.returnSequences, returnState: config.returnState, goBackwards: config.goBackwards))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "gru") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "gru_cell" }
    override func reversedCopy(name: String) -> RecurrentLayer {
        var c = config; c.goBackwards.toggle()
        return GRU(c, name: name)
    }
}

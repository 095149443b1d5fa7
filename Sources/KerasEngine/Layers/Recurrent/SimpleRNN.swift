/// Keras `SimpleRNN`: h_t = activation(x_t·W + h_{t-1}·U + b). Weights: kernel
/// (features, units), recurrent_kernel (units, units), bias (units).
public final class SimpleRNN: RecurrentLayer {
    @dynamicMemberLookup
    public struct Config: ComposesRecurrentOptions {
        public var units: Int
        public var recurrentOptions = RecurrentOptions()
        public init(units: Int) { self.units = units }
    }

    /// The layer's settings (dropouts as used: clamped to [0, 1]).
    public var config: Config { var c = Config(units: units); c.recurrentOptions = options.recurrentOptions; return c }

    public convenience init(_ config: Config, name: String = "simple_rnn") {
        self.init(name: name, options: Options(kind: .simple, units: config.units, unitForgetBias: false, recurrent: config.recurrentOptions))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "simple_rnn") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "simple_rnn_cell" }
}

/// Keras `LSTM`. Per step, with a = x_t·W + h_{t-1}·U + b split into (i, f, c, o) blocks:
/// i, f, o = recurrent_activation(a_i, a_f, a_o), c_t = f⊙c_{t-1} + i⊙activation(a_c),
/// h_t = o⊙activation(c_t). Weights: kernel (features, 4·units), recurrent_kernel
/// (units, 4·units), bias (4·units), the forget block initialised to 1 (unit_forget_bias).
public final class LSTM: RecurrentLayer {
    @dynamicMemberLookup
    public struct Config: ComposesRecurrentOptions {
        public var units: Int
        public var recurrentOptions = RecurrentOptions()
        public var unitForgetBias = true
        public init(units: Int) { self.units = units }
    }

    /// The layer's settings (dropouts as used: clamped to [0, 1]).
    public var config: Config {
        var c = Config(units: units); c.recurrentOptions = options.recurrentOptions; c.unitForgetBias = options.unitForgetBias
        return c
    }

    public convenience init(_ config: Config, name: String = "lstm") {
        self.init(name: name, options: Options(kind: .lstm, units: config.units, unitForgetBias: config.unitForgetBias,
                                               recurrent: config.recurrentOptions))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "lstm") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "lstm_cell" }
}

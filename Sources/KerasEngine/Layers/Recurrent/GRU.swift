/// Keras `GRU`. Per step, with x_t·W + b_x split into (x_z, x_r, x_h) blocks:
/// z, r = recurrent_activation(x_z + h_{t-1}·U_z (+ b_rz), x_r + h_{t-1}·U_r (+ b_rr));
/// reset_after (default): h̃ = activation(x_h + r⊙(h_{t-1}·U_h + b_rh)), bias (2, 3·units);
/// otherwise h̃ = activation(x_h + (r⊙h_{t-1})·U_h), bias (3·units);
/// h_t = z⊙h_{t-1} + (1-z)⊙h̃. Weights: kernel (features, 3·units), recurrent_kernel (units, 3·units), bias.
public final class GRU: RecurrentLayer {
    @dynamicMemberLookup
    public struct Config: ComposesRecurrentOptions {
        public var units: Int
        public var recurrentOptions = RecurrentOptions()
        public var resetAfter = true
        public init(units: Int) { self.units = units }
    }

    /// The layer's settings (dropouts as used: clamped to [0, 1]).
    public var config: Config {
        var c = Config(units: units); c.recurrentOptions = options.recurrentOptions; c.resetAfter = options.kind == .gru(resetAfter: true)
        return c
    }

    public convenience init(_ config: Config, name: String = "gru") {
        self.init(name: name, options: Options(kind: .gru(resetAfter: config.resetAfter), units: config.units, unitForgetBias: false,
                                               recurrent: config.recurrentOptions))
    }

    public convenience init(units: Int, returnSequences: Bool = false, name: String = "gru") {
        var c = Config(units: units); c.returnSequences = returnSequences
        self.init(c, name: name)
    }

    override var cellName: String { "gru_cell" }
}

/// The options Keras's recurrent layers share (`SimpleRNN`, `LSTM`, `GRU`), with Keras's
/// defaults written here once: the input side's ``WeightOptions`` (activation `tanh`),
/// the recurrent kernel's initializer, regularizer and constraint, the gate activation, the dropouts,
/// and what the layer returns.
///
/// A recurrent layer's `Config` holds one as `recurrentOptions` and reads its fields
/// through it (`config.goBackwards`, `config.useBias`; see ``ComposesOptions``).
@dynamicMemberLookup
public struct RecurrentOptions: ComposesWeightOptions {

    /// activation, use_bias, kernel/bias initializers, kernel/bias/activity regularizers.
    public var weightOptions = WeightOptions(activation: .tanh)
    /// The gates' activation (LSTM, GRU; SimpleRNN has no gates).
    public var recurrentActivation: Activation = .sigmoid
    public var recurrentInitializer: Initializer = .orthogonal()
    public var recurrentRegularizer: (any Regularizer)?
    public var recurrentConstraint: (any Constraint)?
    /// Dropout rates of the inputs and of the recurrent state, in [0, 1].
    public var dropout: Float = 0
    public var recurrentDropout: Float = 0
    /// The dropout masks' seed (nil: drawn from the model's generator).
    public var seed: UInt64?
    public var returnSequences = false
    public var returnState = false
    public var goBackwards = false
    public init() {}
}

import KerasEngine
import KerasSpec

/// The readers of the options several layers share. Each starts from the engine's value
/// (where Keras's defaults are written) and reads only what the spec gives.

extension WeightOptions {
    /// Where a layer's own arguments sit among the shared ones in Keras's signature (the
    /// order "expected one of" lists them): right after the activation, the kernel's
    /// initializer, the kernel's regularizer, or the kernel's constraint.
    enum Slot { case activation, initializer, regularizer, constraint }

    /// Reads activation, use_bias, `<kernel>_initializer`, bias_initializer,
    /// `<kernel>_regularizer`, bias_regularizer, activity_regularizer,
    /// `<kernel>_constraint` and bias_constraint. `kernel` is
    /// `"depthwise"` for the depthwise and separable layers; `activation` reads the
    /// activation (the recurrent layers restrict it); `beside` reads a layer's own
    /// arguments at their `Slot` (a second kernel's initializer, ...). `useBias: false`
    /// leaves `use_bias` unread (EinsumDense's `bias_axes` decides its bias).
    static func read(_ r: ArgReader, kernel: String = "kernel", defaults: WeightOptions = WeightOptions(), useBias: Bool = true,
                     activation: (ArgReader, String, Activation) throws -> Activation = ActivationRegistry.read,
                     beside: (Slot) throws -> Void = { _ in }) throws -> WeightOptions {
        var w = defaults
        w.activation = try activation(r, "activation", defaults.activation)
        try beside(.activation)
        if useBias { w.useBias = try r.bool("use_bias", default: defaults.useBias) }
        w.kernelInitializer = try InitializerRegistry.read(r, "\(kernel)_initializer", default: defaults.kernelInitializer)
        try beside(.initializer)
        w.biasInitializer = try InitializerRegistry.read(r, "bias_initializer", default: defaults.biasInitializer)
        w.kernelRegularizer = try RegularizerRegistry.read(r, "\(kernel)_regularizer") ?? defaults.kernelRegularizer
        try beside(.regularizer)
        w.biasRegularizer = try RegularizerRegistry.read(r, "bias_regularizer") ?? defaults.biasRegularizer
        w.activityRegularizer = try RegularizerRegistry.read(r, "activity_regularizer") ?? defaults.activityRegularizer
        w.kernelConstraint = try ConstraintRegistry.read(r, "\(kernel)_constraint") ?? defaults.kernelConstraint
        try beside(.constraint)
        w.biasConstraint = try ConstraintRegistry.read(r, "bias_constraint") ?? defaults.biasConstraint
        return w
    }
}

extension ScaleOffsetOptions {
    /// Reads center, scale and the beta/gamma initializers, regularizers and constraints
    /// (LayerNormalization, GroupNormalization).
    static func read(_ r: ArgReader, defaults: ScaleOffsetOptions = ScaleOffsetOptions()) throws -> ScaleOffsetOptions {
        var o = defaults
        o.center = try r.bool("center", default: defaults.center)
        o.scale = try r.bool("scale", default: defaults.scale)
        o.betaInitializer = try InitializerRegistry.read(r, "beta_initializer", default: defaults.betaInitializer)
        o.gammaInitializer = try InitializerRegistry.read(r, "gamma_initializer", default: defaults.gammaInitializer)
        o.betaRegularizer = try RegularizerRegistry.read(r, "beta_regularizer") ?? defaults.betaRegularizer
        o.gammaRegularizer = try RegularizerRegistry.read(r, "gamma_regularizer") ?? defaults.gammaRegularizer
        o.betaConstraint = try ConstraintRegistry.read(r, "beta_constraint") ?? defaults.betaConstraint
        o.gammaConstraint = try ConstraintRegistry.read(r, "gamma_constraint") ?? defaults.gammaConstraint
        return o
    }
}

extension TransformerOptions {
    /// Reads the arguments keras_hub's TransformerEncoder and TransformerDecoder share.
    static func read(_ r: ArgReader) throws -> TransformerOptions {
        var c = TransformerOptions(intermediateDim: try r.required("intermediate_dim", .positiveInt),
                                   numHeads: try r.required("num_heads", .positiveInt))
        c.dropout = Float(try r.doubleInRange("dropout", 0, 1, default: Double(c.dropout)))
        c.activation = try ActivationRegistry.read(r, "activation", default: c.activation)
        c.layerNormEpsilon = Float(try r.doubleInRange("layer_norm_epsilon", 0, .infinity, lowerInclusive: false, default: Double(c.layerNormEpsilon)))
        c.kernelInitializer = try InitializerRegistry.read(r, "kernel_initializer", default: c.kernelInitializer)
        c.biasInitializer = try InitializerRegistry.read(r, "bias_initializer", default: c.biasInitializer)
        c.normalizeFirst = try r.bool("normalize_first", default: c.normalizeFirst)
        return c
    }
}

extension RecurrentOptions {
    /// Reads the arguments SimpleRNN, LSTM and GRU share, in Keras's order; `gated` (LSTM,
    /// GRU) adds `recurrent_activation`. Accepted with no effect: `unroll`, `stateful: false`.
    static func read(_ r: ArgReader, gated: Bool) throws -> RecurrentOptions {
        var o = RecurrentOptions()
        o.weightOptions = try WeightOptions.read(r, defaults: o.weightOptions, activation: activation) { slot in
            switch slot {
            case .activation:
                if gated { o.recurrentActivation = try activation(r, "recurrent_activation", default: o.recurrentActivation) }
            case .initializer: o.recurrentInitializer = try InitializerRegistry.read(r, "recurrent_initializer", default: o.recurrentInitializer)
            case .regularizer: o.recurrentRegularizer = try RegularizerRegistry.read(r, "recurrent_regularizer")
            case .constraint: o.recurrentConstraint = try ConstraintRegistry.read(r, "recurrent_constraint")
            }
        }
        o.dropout = Float(try r.doubleInRange("dropout", 0, 1, default: Double(o.dropout)))
        o.recurrentDropout = Float(try r.doubleInRange("recurrent_dropout", 0, 1, default: Double(o.recurrentDropout)))
        o.seed = try r.nonNegativeInt("seed").map { UInt64($0) }
        o.returnSequences = try r.bool("return_sequences", default: o.returnSequences)
        o.returnState = try r.bool("return_state", default: o.returnState)
        o.goBackwards = try r.bool("go_backwards", default: o.goBackwards)
        if try r.bool("stateful", default: false) {
            throw r.error("stateful: true is not supported (kerasctl does not carry states between batches); remove it or set false", key: "stateful")
        }
        _ = try r.bool("unroll", default: false)   // same numbers either way
        return o
    }

    /// An activation where Keras's `None` (YAML `null`) means linear, and only those whose
    /// derivative follows from their output are accepted (the fused sequence op's rule).
    static func activation(_ r: ArgReader, _ key: String, default value: Activation) throws -> Activation {
        if r.has(key), r.node(key)?.isNull == true { return .linear }
        let a = try ActivationRegistry.read(r, key, default: value)
        guard RecurrentActivation(a) != nil else {
            throw r.error("\(key) '\(a.name)' is not supported in recurrent layers (their derivative must follow from the output: "
                          + "not gelu, silu, mish, hard_silu, softmax or log_softmax)", key: key)
        }
        return a
    }
}

/// The options Keras's kernel layers share — `Dense`, `Conv1D/2D`, `Conv1D/2DTranspose`,
/// `DepthwiseConv1D/2D`, `SeparableConv1D/2D` and the recurrent layers' input side: the
/// activation, the bias switch, the kernel and bias initializers, the kernel, bias and
/// activity regularizers and the kernel and bias constraints, with Keras's defaults
/// written here once.
///
/// A layer's `Config` holds one as `weightOptions` and reads its fields through it
/// (`config.useBias` is `config.weightOptions.useBias`, see ``ComposesOptions``).
/// For the depthwise layers "kernel" is Keras's `depthwise_kernel`.
public struct WeightOptions {
    public var activation: Activation
    public var useBias = true
    public var kernelInitializer: Initializer = .glorotUniform
    public var biasInitializer: Initializer = .zeros
    public var kernelRegularizer: (any Regularizer)?
    public var biasRegularizer: (any Regularizer)?
    public var activityRegularizer: (any Regularizer)?
    /// Applied after each optimizer update (Keras's kernel_constraint, bias_constraint).
    public var kernelConstraint: (any Constraint)?
    public var biasConstraint: (any Constraint)?

    /// `activation` defaults to `linear` (Keras's `None`); the recurrent layers pass `tanh`.
    public init(activation: Activation = .linear) { self.activation = activation }

    /// The kernel parameter `<layer>/<name>` of `shape`, drawn from `kernelInitializer`.
    public func makeKernel(layer: String, name: String = "kernel", shape: [Int], rng: inout RNG) -> Parameter {
        Parameter(name: "\(layer)/\(name)", value: kernelInitializer.make(shape, rng: &rng), regularizer: kernelRegularizer,
                  constraint: kernelConstraint)
    }

    /// The bias parameter `<layer>/bias` of `shape` (nil without `useBias`); `value`
    /// replaces the initializer's draw where a layer builds its bias itself (LSTM's
    /// unit_forget_bias).
    public func makeBias(layer: String, shape: [Int], rng: inout RNG, value: ((inout RNG) -> Tensor)? = nil) -> Parameter? {
        guard useBias else { return nil }
        let v = value?(&rng) ?? biasInitializer.make(shape, rng: &rng)
        return Parameter(name: "\(layer)/bias", value: v, regularizer: biasRegularizer, constraint: biasConstraint)
    }

    /// Kernel then bias (Keras's creation order, so the random draws match).
    public func makeWeights(layer: String, kernelShape: [Int], biasShape: [Int], rng: inout RNG) -> (kernel: Parameter, bias: Parameter?) {
        let kernel = makeKernel(layer: layer, shape: kernelShape, rng: &rng)
        return (kernel, makeBias(layer: layer, shape: biasShape, rng: &rng))
    }

    /// `activation(y)`, appending the activity-regularization term (penalty / batch size) to `terms`.
    func activate(_ y: Tensor, lossTerms terms: inout [Tensor], skipActivation: Bool = false) -> Tensor {
        let out = skipActivation ? y : activation(y)
        if let r = activityRegularizer { terms.append(r.activityTerm(out)) }
        return out
    }
}

/// What `Conv*`, `Conv*Transpose` and `DepthwiseConv*` share (Keras's `BaseConv`): the
/// config, one kernel and an optional bias made from the config's ``WeightOptions`` once
/// the input shape is known, the geometry `outputShape` computed, and the activity-loss
/// terms. Each subclass names itself, checks shapes (setting `geometry`), says its weight
/// shapes in `build`, and runs its op in `callAsFunction`.
public class ConvolutionLayer<Config: ComposesConvOptions> {
    public var name: String
    public let config: Config
    /// The kernel (Keras's `kernel`, or `depthwise_kernel` for the depthwise layers).
    public internal(set) var kernel: Parameter?
    public internal(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    /// Set by `outputShape(for:)`.
    var geometry: ConvGeometry?

    init(config: Config, name: String) { self.config = config; self.name = name }

    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    /// Creates kernel and bias once: `shapes` gives the kernel's trailing axes (after the
    /// spatial extent) and the bias length from the built geometry.
    func buildWeights(_ context: inout BuildContext, _ shapes: (ConvGeometry) -> (kernel: [Int], bias: Int)) {
        guard kernel == nil, let g = geometry else { return }
        let (k, b) = shapes(g)
        (kernel, bias) = config.convOptions.weightOptions.makeWeights(layer: name, kernelShape: config.convOptions.kernelExtent(g) + k,
                                                          biasShape: [b], rng: &context.rng)
    }

    /// Once built, an input (channels last) must have the channel count the kernel was
    /// made for: `builtFor` reads it from the kernel.
    func checkInputChannels(_ typeName: String, _ inputShape: [Int], builtFor: (Parameter) -> Int) throws {
        if let k = kernel, builtFor(k) != inputShape[config.convOptions.rank] {
            throw ShapeError(layer: name, "\(typeName) was built for \(builtFor(k)) input channels, got \(kerasShape(inputShape))")
        }
    }

    /// The built kernel and geometry, for `callAsFunction`.
    func built(_ typeName: String) -> (kernel: Parameter, geometry: ConvGeometry) {
        guard let kernel, let geometry else { preconditionFailure("\(typeName) '\(name)' used before build") }
        return (kernel, geometry)
    }
}

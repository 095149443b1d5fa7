/// Keras `DepthwiseConv1D` / `DepthwiseConv2D`: each input channel c is convolved with
/// its own `depth_multiplier` filters,
///
///     y[..., c·m + j] = activation(Σ_k x[..., c] · depthwise_kernel[k, c, j] + bias[c·m + j])
///
/// with depthwise_kernel (kernel_size..., in_channels, depth_multiplier) — exactly a
/// grouped convolution with groups = in_channels, which is how it is computed.
public final class DepthwiseConvolution: UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var depthMultiplier = 1
        public init(rank: Int, kernelSize: [Int], depthMultiplier: Int = 1, activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.depthMultiplier = depthMultiplier
        }
    }

    public var name: String
    public let config: Config
    public private(set) var depthwiseKernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    private var geometry: ConvGeometry?

    public init(_ config: Config, name: String = "depthwise_conv") { self.config = config; self.name = name }

    public var typeName: String { "DepthwiseConv\(config.rank)D" }
    public var parameters: [Parameter] { [depthwiseKernel, bias].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName
        guard c.depthMultiplier > 0 else { throw ShapeError(layer: name, "\(t) depth_multiplier must be positive, got \(c.depthMultiplier)") }
        try c.convOptions.check(t, name, input: inputShape)
        let inC = inputShape[c.rank]
        if let k = depthwiseKernel, k.shape[c.rank] != inC {
            throw ShapeError(layer: name, "\(t) was built for \(k.shape[c.rank]) input channels, got \(kerasShape(inputShape))")
        }
        let g = try c.convOptions.geometry(t, name, input: inputShape, outChannels: inC * c.depthMultiplier, groups: inC)
        geometry = g
        return WindowShapes.outputShape(g, rank: c.rank)
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard depthwiseKernel == nil, let g = geometry else { return }
        (depthwiseKernel, bias) = config.weightOptions.makeWeights(layer: name,
                                                                   kernelShape: config.convOptions.kernelExtent(g) + [g.inC, config.depthMultiplier],
                                                                   biasShape: [g.outC], rng: &context.rng)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let depthwiseKernel, let g = geometry else { preconditionFailure("\(typeName) '\(name)' used before build") }
        let y = conv2d(x, depthwiseKernel.value, bias: bias?.value, geometry: g)
        return config.weightOptions.activate(y, lossTerms: &lossTerms)
    }
}

/// Keras `DepthwiseConv1D` / `DepthwiseConv2D`: each input channel c is convolved with
/// its own `depth_multiplier` filters,
///
///     y[..., c·m + j] = activation(Σ_k x[..., c] · depthwise_kernel[k, c, j] + bias[c·m + j])
///
/// with depthwise_kernel (kernel_size..., in_channels, depth_multiplier) — a grouped
/// convolution with groups = in_channels, computed directly (`depthwiseConv2d`).
public final class DepthwiseConvolution: ConvolutionLayer<DepthwiseConvolution.Config>, UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var depthMultiplier = 1
        public init(rank: Int, kernelSize: [Int], depthMultiplier: Int = 1, activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.depthMultiplier = depthMultiplier
        }
    }

    public init(_ config: Config, name: String = "depthwise_conv") { super.init(config: config, name: name) }

    public var typeName: String { "DepthwiseConv\(config.rank)D" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName
        guard c.depthMultiplier > 0 else { throw ShapeError(layer: name, "\(t) depth_multiplier must be positive, got \(c.depthMultiplier)") }
        try c.convOptions.check(t, name, input: inputShape)
        let inC = inputShape[c.rank]
        try checkInputChannels(t, inputShape) { $0.shape[c.rank] }
        let g = try c.convOptions.geometry(t, name, input: inputShape, outChannels: inC * c.depthMultiplier, groups: inC)
        geometry = g
        return WindowShapes.outputShape(g, rank: c.rank)
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        buildWeights(&context) { g in ([g.inC, config.depthMultiplier], g.outC) }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let (kernel, g) = built(typeName)
        let y = depthwiseConv2d(x, kernel.value, bias: bias?.value, geometry: g)
        return config.weightOptions.activate(y, lossTerms: &lossTerms)
    }
}

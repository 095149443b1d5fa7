/// Keras `SeparableConv1D` / `SeparableConv2D`: a depthwise convolution (no bias)
/// followed by a pointwise 1×1 convolution to `filters` channels,
///
///     y = activation(pointwise(depthwise(x)) + bias)
///
/// Weights (Keras order): depthwise_kernel (k..., in, depth_multiplier),
/// pointwise_kernel (1..., in·depth_multiplier, filters), bias (filters).
public final class SeparableConvolution: UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var filters: Int
        public var depthMultiplier = 1
        public var pointwiseInitializer: Initializer = .glorotUniform
        public var pointwiseRegularizer: (any Regularizer)?
        public var pointwiseConstraint: (any Constraint)?
        public init(rank: Int, filters: Int, kernelSize: [Int], depthMultiplier: Int = 1, activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.filters = filters
            self.depthMultiplier = depthMultiplier
        }
    }

    public var name: String
    public let config: Config
    public private(set) var depthwiseKernel: Parameter?
    public private(set) var pointwiseKernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    private var depthwise: ConvGeometry?
    private var pointwise: ConvGeometry?

    public init(_ config: Config, name: String = "separable_conv") { self.config = config; self.name = name }

    public var typeName: String { "SeparableConv\(config.rank)D" }
    public var parameters: [Parameter] { [depthwiseKernel, pointwiseKernel, bias].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName
        guard c.filters > 0 else { throw ShapeError(layer: name, "\(t) filters must be positive, got \(c.filters)") }
        guard c.depthMultiplier > 0 else { throw ShapeError(layer: name, "\(t) depth_multiplier must be positive, got \(c.depthMultiplier)") }
        try c.convOptions.check(t, name, input: inputShape)
        let inC = inputShape[c.rank], mid = inC * c.depthMultiplier
        if let k = depthwiseKernel, k.shape[c.rank] != inC {
            throw ShapeError(layer: name, "\(t) was built for \(k.shape[c.rank]) input channels, got \(kerasShape(inputShape))")
        }
        let d = try c.convOptions.geometry(t, name, input: inputShape, outChannels: mid, groups: inC)
        depthwise = d
        pointwise = ConvGeometry(inH: d.outH, inW: d.outW, inC: mid, kh: 1, kw: 1, outH: d.outH, outW: d.outW, outC: c.filters)
        return c.rank == 1 ? [d.outW, c.filters] : [d.outH, d.outW, c.filters]
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard depthwiseKernel == nil, let d = depthwise else { return }
        let ks = config.convOptions.kernelExtent(d), ones = [Int](repeating: 1, count: config.rank)
        let w = config.weightOptions
        depthwiseKernel = w.makeKernel(layer: name, name: "depthwise_kernel", shape: ks + [d.inC, config.depthMultiplier], rng: &context.rng)
        pointwiseKernel = Parameter(name: "\(name)/pointwise_kernel",
                                    value: config.pointwiseInitializer.make(ones + [d.outC, config.filters], rng: &context.rng),
                                    regularizer: config.pointwiseRegularizer, constraint: config.pointwiseConstraint)
        bias = w.makeBias(layer: name, shape: [config.filters], rng: &context.rng)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let depthwiseKernel, let pointwiseKernel, let d = depthwise, let p = pointwise else {
            preconditionFailure("\(typeName) '\(name)' used before build")
        }
        let mid = depthwiseConv2d(x, depthwiseKernel.value, geometry: d)
        let y = conv2d(mid, pointwiseKernel.value, bias: bias?.value, geometry: p)
        return config.weightOptions.activate(y, lossTerms: &lossTerms)
    }
}

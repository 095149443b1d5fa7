/// Keras `Conv1D` (rank 1) and `Conv2D` (rank 2), channels last:
///
///     y = activation(conv(x, kernel) + bias),  kernel: (kernel_size..., in/groups, filters)
///
/// Padding "valid", "same" (extra pad after) or, for Conv1D, "causal". Computed as
/// im2col + one GEMM per group over the whole batch (`conv2d`).
public final class Convolution: ConvolutionLayer<Convolution.Config>, UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var filters: Int
        public var groups = 1
        public init(rank: Int, filters: Int, kernelSize: [Int], activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.filters = filters
        }
    }

    public init(_ config: Config, name: String = "conv") { super.init(config: config, name: name) }

    public var typeName: String { "Conv\(config.rank)D" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName
        guard c.filters > 0 else { throw ShapeError(layer: name, "\(t) filters must be positive, got \(c.filters)") }
        guard c.groups > 0, c.filters % c.groups == 0 else {
            throw ShapeError(layer: name, "\(t) filters (\(c.filters)) must be divisible by groups (\(c.groups))")
        }
        try c.convOptions.check(t, name, input: inputShape)
        let inC = inputShape[c.rank]
        guard inC % c.groups == 0 else {
            throw ShapeError(layer: name, "\(t) input channels (\(inC)) must be divisible by groups (\(c.groups)), got input \(kerasShape(inputShape))")
        }
        try checkInputChannels(t, inputShape) { $0.shape[c.rank] * c.groups }
        let g = try c.convOptions.geometry(t, name, input: inputShape, outChannels: c.filters, groups: c.groups)
        geometry = g
        return WindowShapes.outputShape(g, rank: c.rank)
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        buildWeights(&context) { g in ([g.groupInC, config.filters], config.filters) }
    }

    /// The geometry for `x`: the built one, or made again for another spatial size (a
    /// graph built with unknown sizes); nil when `x` does not fit.
    func geometry(for x: Tensor) -> ConvGeometry? {
        guard let g = geometry else { return nil }
        if x.shape.dropFirst() == [g.inH, g.inW, g.inC].suffix(config.rank + 1)[...] { return g }
        return try? config.convOptions.geometry(typeName, name, input: Array(x.shape.dropFirst()),
                                                outChannels: config.filters, groups: config.groups)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let kernel = built(typeName).kernel
        guard let g = geometry(for: x) else { preconditionFailure("\(typeName) '\(name)': input \(x.shape) does not fit") }
        let fuse = config.activation == .relu()
        let y = conv2d(x, kernel.value, bias: bias?.value, geometry: g, fuseReLU: fuse)
        return config.weightOptions.activate(y, lossTerms: &lossTerms, skipActivation: fuse)
    }
}

/// Keras `Conv1D` (rank 1) and `Conv2D` (rank 2), channels last:
///
///     y = activation(conv(x, kernel) + bias),  kernel: (kernel_size..., in/groups, filters)
///
/// Padding "valid", "same" (extra pad after) or, for Conv1D, "causal". Computed as
/// im2col + one GEMM per group over the whole batch (`conv2d`).
public final class Convolution: UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var filters: Int
        public var groups = 1
        public init(rank: Int, filters: Int, kernelSize: [Int], activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.filters = filters
        }
    }

    public var name: String
    public let config: Config
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    private var geometry: ConvGeometry?

    public init(_ config: Config, name: String = "conv") {
        self.config = config
        self.name = name
    }

    public var typeName: String { "Conv\(config.rank)D" }
    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

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
        if let k = kernel, k.shape[c.rank] * c.groups != inC {
            throw ShapeError(layer: name, "\(t) was built for \(k.shape[c.rank] * c.groups) input channels, got \(kerasShape(inputShape))")
        }
        let g = try c.convOptions.geometry(t, name, input: inputShape, outChannels: c.filters, groups: c.groups)
        geometry = g
        return WindowShapes.outputShape(g, rank: c.rank)
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard kernel == nil, let g = geometry else { return }
        (kernel, bias) = config.weightOptions.makeWeights(layer: name, kernelShape: config.convOptions.kernelExtent(g) + [g.groupInC, config.filters],
                                                          biasShape: [config.filters], rng: &context.rng)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let kernel, var g = geometry else { preconditionFailure("\(typeName) '\(name)' used before build") }
        if x.shape.dropFirst() != [g.inH, g.inW, g.inC].suffix(config.rank + 1)[...] {
            guard let g2 = try? config.convOptions.geometry(typeName, name, input: Array(x.shape.dropFirst()),
                                                       outChannels: config.filters, groups: config.groups)
            else { preconditionFailure("\(typeName) '\(name)': input \(x.shape) does not fit") }
            g = g2
        }
        let fuse = config.activation == .relu()
        let y = conv2d(x, kernel.value, bias: bias?.value, geometry: g, fuseReLU: fuse)
        return config.weightOptions.activate(y, lossTerms: &lossTerms, skipActivation: fuse)
    }
}

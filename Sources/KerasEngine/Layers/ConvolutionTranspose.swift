/// Keras `Conv1DTranspose` (rank 1) and `Conv2DTranspose` (rank 2), channels last: the
/// gradient of a convolution with respect to its input,
///
///     y = activation(col2im(x · kernelᵀ) + bias),  kernel: (kernel_size..., filters, in_channels)
///
/// Output length per axis (Keras `compute_conv_transpose_output_length`), with the
/// dilated kernel k: "valid" in·s + max(k − s, 0); "same" in·s; with output_padding p,
/// (in − 1)·s + k − 2·pad + p where pad = k/2 for "same", 0 for "valid".
public final class ConvolutionTranspose: ConvolutionLayer<ConvolutionTranspose.Config>, UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesConvOptions {
        public var convOptions: ConvOptions
        public var filters: Int
        /// nil (Keras None) or one/`rank` values.
        public var outputPadding: [Int]?
        public init(rank: Int, filters: Int, kernelSize: [Int], activation: Activation = .linear) {
            convOptions = ConvOptions(rank: rank, kernelSize: kernelSize, activation: activation); self.filters = filters
        }
    }

    public init(_ config: Config, name: String = "conv_transpose") { super.init(config: config, name: name) }

    public var typeName: String { "Conv\(config.rank)DTranspose" }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName, r = c.rank
        guard c.filters > 0 else { throw ShapeError(layer: name, "\(t) filters must be positive, got \(c.filters)") }
        guard c.padding != .causal else { throw ShapeError(layer: name, "\(t) does not support padding \"causal\"") }
        try c.convOptions.check(t, name, input: inputShape)
        let k = try WindowShapes.expand(c.kernelSize, rank: r, "kernel_size", t, name)
        let s = try WindowShapes.expand(c.strides, rank: r, "strides", t, name)
        let d = try WindowShapes.expand(c.dilationRate, rank: r, "dilation_rate", t, name)
        let op = try c.outputPadding.map { try WindowShapes.expand($0.map { $0 + 1 }, rank: r, "output_padding", t, name).map { $0 - 1 } }
        if let op, zip(op, s).contains(where: { $0.0 >= $0.1 }) {
            throw ShapeError(layer: name, "\(t) output_padding \(WindowShapes.tuple(op)) must be smaller than strides \(WindowShapes.tuple(s))")
        }
        let inC = inputShape[r]
        try checkInputChannels(t, inputShape) { $0.shape[r + 1] }
        var outLen: [Int] = []
        for i in 0..<r {
            let eff = (k[i] - 1) * d[i] + 1, n = inputShape[i]
            if let op {
                let pad = c.padding == .same ? eff / 2 : 0
                outLen.append((n - 1) * s[i] + eff - 2 * pad + op[i])
            } else {
                outLen.append(c.padding == .valid ? n * s[i] + Swift.max(eff - s[i], 0) : n * s[i])
            }
        }
        // The forward convolution from the output back to the input shape.
        let g = try WindowShapes.geometry(t, name, input: outLen + [c.filters], rank: r, kernel: k, strides: s,
                                          dilation: d, padding: c.padding, outChannels: inC)
        guard Array(inputShape.prefix(r)) == (r == 1 ? [g.outW] : [g.outH, g.outW]) else {
            throw ShapeError(layer: name, "\(t) cannot map input \(kerasShape(inputShape)) to output \(kerasShape(outLen + [c.filters]))")
        }
        geometry = g
        return outLen + [c.filters]
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        buildWeights(&context) { g in ([config.filters, g.outC], config.filters) }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let (kernel, g) = built(typeName)
        let y = convTranspose2d(x, kernel.value, bias: bias?.value, geometry: g)
        return config.weightOptions.activate(y, lossTerms: &lossTerms)
    }
}

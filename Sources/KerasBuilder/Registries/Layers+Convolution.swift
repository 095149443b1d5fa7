import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's convolution layers, 1-D and 2-D, channels last. Arguments and defaults as
    /// Keras 3 (`keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid",
    /// data_format=None, dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, ...)`).
    /// Conv layers have no single main argument in Keras; `Conv2D: 32` reads as `filters`,
    /// `DepthwiseConv2D: 3` as `kernel_size`.
    static let convolution: [Registry<any Layer>.Entry] = [
        .init(["Conv1D", "Convolution1D"], main: "filters", { o in try conv(o, rank: 1) }),
        .init(["Conv2D", "Convolution2D"], main: "filters", { o in try conv(o, rank: 2) }),
        .init(["Conv1DTranspose", "Convolution1DTranspose"], main: "filters", { o in try convTranspose(o, rank: 1) }),
        .init(["Conv2DTranspose", "Convolution2DTranspose"], main: "filters", { o in try convTranspose(o, rank: 2) }),
        .init(["DepthwiseConv1D"], main: "kernel_size", { o in try depthwise(o, rank: 1) }),
        .init(["DepthwiseConv2D"], main: "kernel_size", { o in try depthwise(o, rank: 2) }),
        .init(["SeparableConv1D", "SeparableConvolution1D"], main: "filters", { o in try separable(o, rank: 1) }),
        .init(["SeparableConv2D", "SeparableConvolution2D"], main: "filters", { o in try separable(o, rank: 2) }),
    ]

    /// `Conv1D` / `Conv2D`.
    static func conv(_ o: ObjectSpec, rank: Int) throws -> any Layer {
        let r = try o.reader()
        let filters = try r.required("filters", .positiveInt)
        var c = Convolution.Config(rank: rank, filters: filters, kernelSize: [])
        c.convOptions = try ConvOptions.read(r, rank: rank, allowCausal: rank == 1)
        c.groups = try r.positiveInt("groups", default: c.groups)
        if filters % c.groups != 0 {
            throw r.error("filters (\(filters)) must be divisible by groups (\(c.groups))", key: "groups")
        }
        c.weightOptions = try WeightOptions.read(r)
        try r.finish()
        return Convolution(c)
    }

    /// `Conv1DTranspose` / `Conv2DTranspose`.
    static func convTranspose(_ o: ObjectSpec, rank: Int) throws -> any Layer {
        let r = try o.reader()
        var c = ConvolutionTranspose.Config(rank: rank, filters: try r.required("filters", .positiveInt), kernelSize: [])
        c.convOptions = try ConvOptions.read(r, rank: rank)
        c.outputPadding = try r.intOrTuple("output_padding", count: rank, positive: false)
        if let op = c.outputPadding, let i = op.indices.first(where: { op[$0] >= c.strides[$0] }) {
            throw r.error("output_padding \(op) must be smaller than strides \(c.strides) on every axis (axis \(i))", key: "output_padding")
        }
        c.weightOptions = try WeightOptions.read(r)
        try r.finish()
        return ConvolutionTranspose(c)
    }

    /// `DepthwiseConv1D` / `DepthwiseConv2D`.
    static func depthwise(_ o: ObjectSpec, rank: Int) throws -> any Layer {
        let r = try o.reader()
        var c = DepthwiseConvolution.Config(rank: rank, kernelSize: [])
        c.convOptions = try ConvOptions.read(r, rank: rank)
        c.depthMultiplier = try r.positiveInt("depth_multiplier", default: c.depthMultiplier)
        c.weightOptions = try WeightOptions.read(r, kernel: "depthwise")
        try r.finish()
        return DepthwiseConvolution(c)
    }

    /// `SeparableConv1D` / `SeparableConv2D`.
    static func separable(_ o: ObjectSpec, rank: Int) throws -> any Layer {
        let r = try o.reader()
        var c = SeparableConvolution.Config(rank: rank, filters: try r.required("filters", .positiveInt), kernelSize: [])
        c.convOptions = try ConvOptions.read(r, rank: rank)
        c.depthMultiplier = try r.positiveInt("depth_multiplier", default: c.depthMultiplier)
        c.weightOptions = try WeightOptions.read(r, kernel: "depthwise", beside: { slot in
            switch slot {
            case .activation: break
            case .initializer: c.pointwiseInitializer = try InitializerRegistry.read(r, "pointwise_initializer", default: c.pointwiseInitializer)
            case .regularizer: c.pointwiseRegularizer = try RegularizerRegistry.read(r, "pointwise_regularizer")
            case .constraint: c.pointwiseConstraint = try ConstraintRegistry.read(r, "pointwise_constraint")
            }
        })
        try r.finish()
        return SeparableConvolution(c)
    }
}

extension ConvOptions {
    /// Reads the window arguments every convolution takes: kernel_size (required),
    /// strides, padding ("causal" only where `allowCausal`: Conv1D), data_format
    /// (channels last only) and dilation_rate, each an integer or a `rank`-tuple.
    /// The weight options are left at their defaults (read them with `WeightOptions.read`
    /// after the layer's own arguments, in Keras's order).
    static func read(_ r: ArgReader, rank: Int, allowCausal: Bool = false) throws -> ConvOptions {
        typealias L = LayerRegistry
        var w = ConvOptions(rank: rank, kernelSize: try L.kernelSize(r, rank: rank))
        w.strides = try r.intOrTuple("strides", count: rank, default: L.ones(rank))
        w.padding = try L.padding(r, allowCausal: allowCausal)
        try L.channelsLast(r)
        w.dilationRate = try r.intOrTuple("dilation_rate", count: rank, default: L.ones(rank))
        try L.checkStridesDilation(r, w.strides, w.dilationRate)
        return w
    }
}

// MARK: - Arguments shared by the windowed layers

extension LayerRegistry {
    /// `[1, 1]` for rank 2, `[1]` for rank 1.
    static func ones(_ rank: Int) -> [Int] { [Int](repeating: 1, count: rank) }

    /// The required `kernel_size`: an integer or a tuple of `rank` integers.
    static func kernelSize(_ r: ArgReader, rank: Int) throws -> [Int] {
        guard let k = try r.intOrTuple("kernel_size", count: rank) else { throw r.missing("kernel_size") }
        return k
    }

    /// `padding`: "valid" (default) or "same", and "causal" where Keras allows it (Conv1D).
    static func padding(_ r: ArgReader, allowCausal: Bool) throws -> ConvPadding {
        let options = allowCausal ? ["valid", "same", "causal"] : ["valid", "same"]
        let p = try r.oneOf("padding", options, default: "valid")
        return ConvPadding(rawValue: p) ?? .valid
    }

    /// `data_format`: kerasctl computes channels last, so only "channels_last" (or null,
    /// Keras's default) is accepted; "channels_first" is a clear error.
    static func channelsLast(_ r: ArgReader) throws {
        guard let f = try r.oneOf("data_format", ["channels_last", "channels_first"]) else { return }
        guard f == "channels_last" else {
            throw r.error("data_format 'channels_first' is not supported: kerasctl layers work channels last (height, width, channels); drop data_format or use 'channels_last'", key: "data_format")
        }
    }

    /// Keras rejects strides > 1 together with dilation_rate > 1.
    static func checkStridesDilation(_ r: ArgReader, _ strides: [Int], _ dilation: [Int]) throws {
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw r.error("strides > 1 is not supported together with dilation_rate > 1 (strides \(strides), dilation_rate \(dilation))", key: "dilation_rate")
        }
    }
}

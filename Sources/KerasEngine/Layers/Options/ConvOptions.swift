/// The window options Keras's convolution layers share (`Conv*`, `Conv*Transpose`,
/// `DepthwiseConv*`, `SeparableConv*`), channels last: the rank (1 or 2), kernel_size,
/// strides, padding and dilation_rate, with Keras's defaults written here once.
///
/// A convolution's `Config` holds one as `window` and reads its fields through it
/// (`config.strides`, see ``ComposesConvWindow``).
public struct ConvWindow {
    /// 1 for the `...1D` layers, 2 for the `...2D` layers.
    public var rank: Int
    /// One value (used for every axis) or `rank` values; likewise strides and dilation_rate.
    public var kernelSize: [Int]
    public var strides: [Int] = [1]
    public var padding: ConvPadding = .valid
    public var dilationRate: [Int] = [1]

    public init(rank: Int, kernelSize: [Int]) { self.rank = rank; self.kernelSize = kernelSize }

    /// The checks every convolution makes first: rank 1 or 2, strides and dilation not
    /// both above 1, an input of `rank` spatial axes plus channels.
    func check(_ type: String, _ layer: String, input: [Int]) throws {
        guard rank == 1 || rank == 2 else { throw ShapeError(layer: layer, "\(type): rank must be 1 or 2") }
        try WindowShapes.checkStridesDilation(type, layer, strides: strides, dilation: dilationRate)
        try WindowShapes.checkRank(type, layer, input, rank: rank)
    }

    /// The geometry of this window over `input` (spatial axes + channels).
    func geometry(_ type: String, _ layer: String, input: [Int], outChannels: Int, groups: Int = 1) throws -> ConvGeometry {
        try WindowShapes.geometry(type, layer, input: input, rank: rank, kernel: kernelSize, strides: strides,
                                  dilation: dilationRate, padding: padding, outChannels: outChannels, groups: groups)
    }

    /// The kernel's spatial extent in a built geometry: `[kw]` or `[kh, kw]`.
    func kernelExtent(_ g: ConvGeometry) -> [Int] { rank == 1 ? [g.kw] : [g.kh, g.kw] }
}

/// A layer `Config` composing a ``ConvWindow``: its fields read and write through the config.
public protocol ComposesConvWindow {
    var window: ConvWindow { get set }
}

extension ComposesConvWindow {
    public subscript<T>(dynamicMember key: WritableKeyPath<ConvWindow, T>) -> T {
        get { window[keyPath: key] }
        set { window[keyPath: key] = newValue }
    }
}

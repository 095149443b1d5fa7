/// The options Keras's convolution layers share (Keras's `BaseConv` arguments: `Conv*`,
/// `Conv*Transpose`, `DepthwiseConv*`, `SeparableConv*`), channels last: the window —
/// rank (1 or 2), kernel_size, strides, padding, dilation_rate — and the
/// ``WeightOptions``, with Keras's defaults written here once.
///
/// A convolution's `Config` holds one as `convOptions` and reads its fields through it
/// (`config.strides`, `config.useBias`; see ``ComposesOptions``).
@dynamicMemberLookup
public struct ConvOptions: ComposesWeightOptions {
    /// 1 for the `...1D` layers, 2 for the `...2D` layers.
    public var rank: Int
    /// One value (used for every axis) or `rank` values; likewise strides and dilation_rate.
    public var kernelSize: [Int]
    public var strides: [Int] = [1]
    public var padding: ConvPadding = .valid
    public var dilationRate: [Int] = [1]
    /// The kernel options are Keras's `depthwise_*` ones for the depthwise and separable layers.
    public var weightOptions: WeightOptions

    public init(rank: Int, kernelSize: [Int], activation: Activation = .linear) {
        self.rank = rank; self.kernelSize = kernelSize; weightOptions = WeightOptions(activation: activation)
    }

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

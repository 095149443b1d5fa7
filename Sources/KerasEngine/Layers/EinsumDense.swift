/// Keras `EinsumDense`: `activation(einsum(equation, x, kernel) + bias)`, the dense layer
/// of MultiHeadAttention and keras_hub (`"abc,cde->abde"`: per-head projections;
/// `"abcd,cde->abe"`: heads merged; `"...b,bc->...c"`: Dense over any leading axes).
///
/// The einsum runs as one BLAS GEMM: the input permuted to `[free axes, contracted axes]`
/// and seen as a matrix, times the kernel permuted to `[contracted, output axes]`; the
/// product is permuted to the output's axis order (no copy where the order already fits,
/// as in MultiHeadAttention's equations). The kernel has the equation's kernel axes in
/// order; the bias spans the output from the first of `bias_axes` on, 1 on the axes not
/// named (Keras's shapes, so its weights load as they are).
public final class EinsumDense: UnaryLayer, LossContributing {
    @dynamicMemberLookup
    public struct Config: ComposesWeightOptions {
        public var equation: EinsumEquation
        /// Keras's `output_shape` without the batch (and without the ellipsis's axes);
        /// nil entries are taken from the input.
        public var outputShape: [Int?]
        /// The output axes with a bias (`"de"`); nil: no bias.
        public var biasAxes: String?
        /// activation, kernel/bias initializers, regularizers and constraints (use_bias unused).
        public var weightOptions = WeightOptions()
        public init(equation: EinsumEquation, outputShape: [Int?], biasAxes: String? = nil) {
            self.equation = equation; self.outputShape = outputShape; self.biasAxes = biasAxes
        }
    }

    public var name: String
    public let config: Config
    public private(set) var kernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    private var plan: EinsumEquation.Plan?

    public init(_ config: Config, name: String = "einsum_dense") { self.config = config; self.name = name }

    public var typeName: String { "EinsumDense" }
    public var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let p: EinsumEquation.Plan
        do { p = try config.equation.plan(inputShape: inputShape, outputShape: config.outputShape, biasAxes: config.biasAxes) } catch {
            throw ShapeError(layer: name, error.description)
        }
        if let k = kernel, k.shape != p.kernelShape {
            throw ShapeError(layer: name, "was built with kernel \(k.shape); input \(kerasShape(inputShape)) needs \(p.kernelShape)")
        }
        plan = p
        // The memory budget counts outputs; charge the transposed copies too: the input when
        // its axes are permuted for the GEMM, the product when it is permuted into the output.
        let a = ShapeArithmetic.self
        let copies = [Self.isIdentity(p.inputPermutation) ? 0 : a.count(inputShape),
                      Self.isIdentity(p.productPermutation) ? 0 : a.count(p.outputShape)]
        for n in copies { WeightAllocation.activationElements = a.sum(WeightAllocation.activationElements, n ?? Int.max) ?? Int.max }
        return p.outputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard kernel == nil, let p = plan else { return }
        var w = config.weightOptions
        w.useBias = p.biasShape != nil
        kernel = w.makeKernel(layer: name, shape: p.kernelShape, rng: &context.rng)
        bias = p.biasShape.flatMap { w.makeBias(layer: name, shape: $0, rng: &context.rng) }
    }

    /// True when `perm` leaves the axes in place (no transposed copy is made).
    private static func isIdentity(_ perm: [Int]) -> Bool { perm == Array(0..<perm.count) }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let kernel, let p = plan else { preconditionFailure("EinsumDense '\(name)' used before build") }
        func permute(_ t: Tensor, _ perm: [Int]) -> Tensor { Self.isIdentity(perm) ? t : transpose(t, perm) }
        let xs = permute(x, p.inputPermutation), ks = permute(kernel.value, p.kernelPermutation)
        let rows = p.contracted == 0 ? 0 : x.count / p.contracted
        let y = matmul(reshape(xs, [rows, p.contracted]), reshape(ks, [p.contracted, p.produced]))
        // The product's axes: the input's free ones, then the kernel's output ones.
        let productShape = Array(xs.shape.prefix(p.freeAxes)) + Array(ks.shape.suffix(p.producedAxes))
        var out = permute(reshape(y, productShape), p.productPermutation)
        if let bias {
            let b = bias.value
            out = b.rank == 1 ? biasAdd(out, b) : out + b
        }
        return config.weightOptions.activate(out, lossTerms: &lossTerms)
    }
}

/// Keras `Embedding`: integer ids (any shape) → rows of a trainable table
/// (input_dim, output_dim): y[..., :] = embeddings[id]. With mask_zero, id 0 is padding
/// and the layer emits the mask id != 0 for the layers after it. An id outside
/// [0, input_dim) reads a row of zeros (and gets no gradient).
public final class Embedding: UnaryLayer, MaskAware, LossContributing {
    public struct Config {
        public var inputDim: Int
        public var outputDim: Int
        public var embeddingsInitializer: Initializer = .randomUniform(minval: -0.05, maxval: 0.05)
        public var embeddingsRegularizer: (any Regularizer)?
        public var embeddingsConstraint: (any Constraint)?
        public var activityRegularizer: (any Regularizer)?
        public var maskZero = false
        public init(inputDim: Int, outputDim: Int) { self.inputDim = inputDim; self.outputDim = outputDim }
    }

    public var name: String
    public let config: Config
    public private(set) var embeddings: Parameter?
    public var lossTerms: [Tensor] = []

    public init(_ config: Config, name: String = "embedding") {
        precondition(config.inputDim > 0 && config.outputDim > 0, "Embedding input_dim and output_dim must be positive")
        self.config = config
        self.name = name
    }

    public convenience init(inputDim: Int, outputDim: Int, maskZero: Bool = false, name: String = "embedding") {
        var c = Config(inputDim: inputDim, outputDim: outputDim); c.maskZero = maskZero
        self.init(c, name: name)
    }

    public var parameters: [Parameter] { [embeddings].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape + [config.outputDim] }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard embeddings == nil else { return }
        embeddings = Parameter(name: "\(name)/embeddings",
                               value: config.embeddingsInitializer.make([config.inputDim, config.outputDim], rng: &context.rng),
                               regularizer: config.embeddingsRegularizer, constraint: config.embeddingsConstraint)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let embeddings else { preconditionFailure("Embedding '\(name)' used before build") }
        let y = embeddingLookup(x, table: embeddings.value)
        if let r = config.activityRegularizer { lossTerms.append(r.activityTerm(y)) }
        return y
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        ([self(inputs[0], training: training)], computeMask(inputs: inputs, masks: masks))
    }

    /// With mask_zero, 1 where the id is not 0.
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? {
        guard config.maskZero else { return nil }
        var m = Tensor(uninitializedShape: inputs[0].shape)
        let pi = inputs[0].pointer, pm = m.freshPointer
        for i in 0..<m.count { pm[i] = pi[i] > -1 && pi[i] < 1 ? 0 : 1 }   // Int(id) == 0, without converting any value
        return m
    }
}

/// Rows of `table` (n, d) picked by the integer values of `ids`: ids.shape + [d].
/// Differentiable in `table` (scatter-add of the output gradient); ids are not.
public func embeddingLookup(_ ids: Tensor, table: Tensor) -> Tensor {
    precondition(table.rank == 2, "embeddingLookup: table \(table.shape)")
    let n = table.shape[0], d = table.shape[1], count = ids.count
    var rows = [Int](repeating: -1, count: count)
    let pi = ids.pointer
    // Truncated like Keras's cast to int32; the range test comes first so that no value
    // (huge, infinite, NaN) reaches the Int conversion out of range.
    let upper = Float(n)
    for i in 0..<count { let v = pi[i]; rows[i] = v > -1 && v < upper ? Int(v) : -1 }
    var out = Tensor(uninitializedShape: ids.shape + [d])
    let pt = table.pointer, po = out.freshPointer
    for i in 0..<count {
        if rows[i] >= 0 { (po + i * d).update(from: pt + rows[i] * d, count: d) } else { (po + i * d).update(repeating: 0, count: d) }
    }
    return Tape.record(out, inputs: [table]) { g in
        var gt = Tensor(shape: [n, d])
        let pd = gt.freshPointer, pg = g.pointer
        for i in 0..<count where rows[i] >= 0 { let dst = pd + rows[i] * d, src = pg + i * d; for j in 0..<d { dst[j] += src[j] } }
        return [gt]
    }
}

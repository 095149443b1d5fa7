/// keras_hub's `PositionEmbedding`: a learned embedding per position,
/// `embeddings[sequence_length, features]`; the output is its first `steps` rows broadcast
/// over the batch — the input supplies only the shape `(batch, steps, features)`, with
/// `steps ≤ sequence_length` (add it to the input with `Add`, as keras_hub's models do).
public final class PositionEmbedding: UnaryLayer {
    public struct Config {
        public var sequenceLength: Int
        /// keras_hub's default, glorot_uniform.
        public var initializer: Initializer = .glorotUniform
        public init(sequenceLength: Int) { self.sequenceLength = sequenceLength }
    }

    public var name: String
    public let config: Config
    public private(set) var embeddings: Parameter?

    public init(_ config: Config, name: String = "position_embedding") { self.config = config; self.name = name }

    public var typeName: String { "PositionEmbedding" }
    public var parameters: [Parameter] { [embeddings].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.sequenceLength > 0 else {
            throw ShapeError(layer: name, "sequence_length must be positive, got \(config.sequenceLength)")
        }
        guard inputShape.count == 2 else {
            throw ShapeError(layer: name, "PositionEmbedding expects input of shape (None, steps, features), got \(kerasShape(inputShape))")
        }
        guard inputShape[0] <= config.sequenceLength else {
            throw ShapeError(layer: name, "the input has \(inputShape[0]) steps, more than sequence_length \(config.sequenceLength)")
        }
        if let e = embeddings, e.shape[1] != inputShape[1] {
            throw ShapeError(layer: name, "was built for \(e.shape[1]) features, got \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard embeddings == nil else { return }
        embeddings = Parameter(name: "\(name)/embeddings",
                               value: config.initializer.make([config.sequenceLength, inputShape[1]], rng: &context.rng))
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let embeddings else { preconditionFailure("PositionEmbedding '\(name)' used before build") }
        return broadcastRows(embeddings.value, batch: x.shape[0], rows: x.shape[1])
    }
}

/// The first `rows` rows of `table` (rows, width), repeated for each of `batch` examples:
/// `(batch, rows, width)`. Backward: the batch's gradients summed into those rows.
public func broadcastRows(_ table: Tensor, batch: Int, rows: Int) -> Tensor {
    precondition(table.rank == 2 && rows <= table.shape[0], "broadcastRows: \(rows) rows of \(table.shape)")
    let width = table.shape[1], n = rows * width
    let out = Tensor(uninitializedShape: [batch, rows, width])
    let po = out.freshPointer, pt = table.pointer
    for b in 0..<batch { (po + b * n).update(from: pt, count: n) }
    let shape = table.shape
    return Tape.record(out, inputs: [table]) { g in
        let gt = Tensor(shape: shape)
        let pg = g.pointer, pd = gt.freshPointer
        for b in 0..<batch { for i in 0..<n { pd[i] += pg[b * n + i] } }
        return [gt]
    }
}

/// keras_hub's `TokenAndPositionEmbedding`: `Embedding(vocabulary_size, embedding_dim)` of
/// the token ids plus a `PositionEmbedding(sequence_length)` of the result, both drawn
/// from `embeddings_initializer` (keras_hub's default "uniform", ±0.05). Weights, in
/// `get_weights()` order: `token_embedding/embeddings`, `position_embedding/embeddings`.
/// With `mask_zero`, token id 0 is padding and the output carries the mask id != 0 when
/// run (keras_hub sets it in `call`; its `compute_mask`, Keras's default, knows none).
public final class TokenAndPositionEmbedding: UnaryLayer, MaskAware {
    public struct Config {
        public var vocabularySize: Int
        public var sequenceLength: Int
        public var embeddingDim: Int
        public var embeddingsInitializer: Initializer = .randomUniform(minval: -0.05, maxval: 0.05)
        /// Only matters for keras_hub's reverse (logits) mode, which this layer lacks.
        public var tieWeights = true
        public var maskZero = false
        public init(vocabularySize: Int, sequenceLength: Int, embeddingDim: Int) {
            self.vocabularySize = vocabularySize; self.sequenceLength = sequenceLength; self.embeddingDim = embeddingDim
        }
    }

    public var name: String { didSet { rename() } }
    public let config: Config
    private var token: Embedding
    private var position: PositionEmbedding

    public init(_ config: Config, name: String = "token_and_position_embedding") {
        self.config = config
        self.name = name
        var t = Embedding.Config(inputDim: config.vocabularySize, outputDim: config.embeddingDim)
        t.embeddingsInitializer = config.embeddingsInitializer
        t.maskZero = config.maskZero
        token = Embedding(t, name: name + "/token_embedding")
        var p = PositionEmbedding.Config(sequenceLength: config.sequenceLength)
        p.initializer = config.embeddingsInitializer
        position = PositionEmbedding(p, name: name + "/position_embedding")
    }

    private func rename() {
        token.name = name + "/token_embedding"
        position.name = name + "/position_embedding"
    }

    public var typeName: String { "TokenAndPositionEmbedding" }
    public var parameters: [Parameter] { token.parameters + position.parameters }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.vocabularySize > 0, config.embeddingDim > 0 else {
            throw ShapeError(layer: name, "vocabulary_size and embedding_dim must be positive, got \(config.vocabularySize), \(config.embeddingDim)")
        }
        guard inputShape.count == 1 else {
            throw ShapeError(layer: name, "TokenAndPositionEmbedding expects token ids of shape (None, steps), got \(kerasShape(inputShape))")
        }
        let embedded = try token.outputShape(for: inputShape)
        return try position.outputShape(for: embedded)
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        try token.build(inputShape: inputShape, context: &context)
        try position.build(inputShape: inputShape + [config.embeddingDim], context: &context)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        forward([x], masks: [], training: training).outputs[0]
    }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let (embedded, mask) = token.forward(inputs, masks: masks, training: training)
        let tokens = embedded[0]
        return ([tokens + position(tokens, training: training)], mask)
    }
}

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

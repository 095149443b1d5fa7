/// Keras `SpatialDropout1D/2D`: in training, drops whole channels — one keep/drop draw
/// per (example, channel), survivors scaled by 1/(1 − rate); identity in inference.
public final class SpatialDropout: UnaryLayer, RandomStateful {
    public var name: String
    public let rank: Int
    public let rate: Float
    private let dropout: Dropout

    public init(rank: Int, rate: Float, name: String = "spatial_dropout") {
        self.rank = rank; self.rate = rate; self.name = name
        dropout = Dropout(rate: Swift.min(Swift.max(rate, 0), 0.999), noiseShape: [Int?](repeating: 1, count: rank) + [nil], name: name)
    }

    public var typeName: String { "SpatialDropout\(rank)D" }
    public var parameters: [Parameter] { [] }
    /// The generator state (saved for resume).
    public var randomState: RNG { get { dropout.randomState } set { dropout.randomState = newValue } }
    public var batchShard: BatchShard? { get { dropout.batchShard } set { dropout.batchShard = newValue } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard rate >= 0 && rate < 1 else { throw ShapeError(layer: name, "\(typeName) rate must be in [0, 1), got \(rate)") }
        try WindowShapes.checkRank(typeName, name, inputShape, rank: rank)
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        try dropout.build(inputShape: inputShape, context: &context)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { dropout(x, training: training) }
}

extension SpatialDropout: GlobalBatchNoise {
    public func skipRows(_ globalRows: Int) { dropout.skipRows(globalRows) }
}

/// Keras `GaussianNoise`: in training, y = x + N(0, stddev²) noise; identity in inference.
public final class GaussianNoise: UnaryLayer, RandomStateful {
    public var name: String
    public let stddev: Float
    private var rng = RNG(seed: 0)

    public init(stddev: Float, name: String = "gaussian_noise") { self.stddev = stddev; self.name = name }
    public var parameters: [Parameter] { [] }
    public var randomState: RNG { get { rng } set { rng = newValue } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard stddev >= 0 else { throw ShapeError(layer: name, "GaussianNoise stddev must be non-negative, got \(stddev)") }
        return inputShape
    }
    public func build(inputShape: [Int], context: inout BuildContext) throws { rng = context.rng.fork() }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard training, stddev > 0 else { return x }
        var noise = Tensor(uninitializedShape: x.shape)
        let p = noise.freshPointer
        var g = rng
        for i in 0..<noise.count { p[i] = stddev * Float(g.normal()) }
        rng = g
        return x + noise
    }
}

/// Keras `GaussianDropout`: in training, y = x · N(1, rate/(1 − rate)) noise; identity
/// in inference.
public final class GaussianDropout: UnaryLayer, RandomStateful {
    public var name: String
    public let rate: Float
    private var rng = RNG(seed: 0)

    public init(rate: Float, name: String = "gaussian_dropout") { self.rate = rate; self.name = name }
    public var parameters: [Parameter] { [] }
    public var randomState: RNG { get { rng } set { rng = newValue } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard rate >= 0 && rate < 1 else { throw ShapeError(layer: name, "GaussianDropout rate must be in [0, 1), got \(rate)") }
        return inputShape
    }
    public func build(inputShape: [Int], context: inout BuildContext) throws { rng = context.rng.fork() }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let sd = (Double(rate) / (1 - Double(rate))).squareRoot()
        var noise = Tensor(uninitializedShape: x.shape)
        let p = noise.freshPointer
        var g = rng
        for i in 0..<noise.count { p[i] = Float(1 + sd * g.normal()) }
        rng = g
        return x * noise
    }
}

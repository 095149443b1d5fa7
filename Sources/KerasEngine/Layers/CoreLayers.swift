import KerasKernels

/// Keras `Activation`: applies an activation function.
public final class ActivationLayer: UnaryLayer {
    public var name: String
    public let activation: Activation
    public init(_ activation: Activation, name: String = "activation") { self.activation = activation; self.name = name }
    public var parameters: [Parameter] { [] }
    public var typeName: String { "Activation" }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { activation(x) }
}

/// Keras `Dropout`: in training, zeroes each value with probability `rate` and scales
/// the rest by 1/(1-rate); the identity in inference.
public final class Dropout: UnaryLayer {
    public var name: String
    public let rate: Float
    /// Axes of size 1 share one mask value (Keras noise_shape); nil = one value per element.
    public let noiseShape: [Int?]?
    private var rng = RNG(seed: 0)
    /// Set by data-parallel training (`GlobalBatchNoise`): this shard's rows of the whole
    /// global batch's mask are drawn.
    public var batchShard: BatchShard?

    public init(rate: Float, noiseShape: [Int?]? = nil, name: String = "dropout") {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1)")
        self.rate = rate; self.noiseShape = noiseShape; self.name = name
    }
    public var parameters: [Parameter] { [] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func build(inputShape: [Int], context: inout BuildContext) throws { rng = context.rng.fork() }

    /// The generator state (saved for resume).
    public var randomState: RNG { get { rng } set { rng = newValue } }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        var maskShape = x.shape
        let shard = batchShard.flatMap { s in x.shape.first == s.count && s.count != s.global ? s : nil }
        if let shard { maskShape[0] = shard.global }
        if let ns = noiseShape {
            for (i, d) in ns.enumerated() where i + 1 < maskShape.count { if let d { maskShape[i + 1] = d } }
        }
        // One draw of the layer's generator keys the call; mask value i of the global batch
        // comes from word ⌊i/2⌋ of that key's SplitMix64 stream (kk_dropout_mask), so the
        // mask fills in chunks on every core, and a shard draws only its own rows — with the
        // values one process would draw for them.
        let key = rng.next()
        let threshold = UInt64((Double(1 - rate) * 16_777_216).rounded())   // keep when the 24-bit draw is below
        let row = maskShape.dropFirst().reduce(1, *)
        let rows = shard?.count ?? maskShape[0], first = (shard?.offset ?? 0) * row
        var mask = Tensor(uninitializedShape: [rows] + maskShape.dropFirst())
        let p = mask.freshPointer, scale = 1 / (1 - rate)
        ParallelBatch.elementwise(mask.count, minimum: ParallelBatch.computeMinimum) { r in
            kk_dropout_mask(p + r.lowerBound, first + r.lowerBound, r.count, key, threshold, scale)
        }
        return x * mask
    }
}

extension Dropout: RandomStateful {}
extension Dropout: GlobalBatchNoise {
    public func skipRows(_ globalRows: Int) {
        // One key per training call, as callAsFunction.
        if rate > 0 && globalRows > 0 { _ = rng.next() }
    }
}

/// Keras `Flatten`: (batch, ...) → (batch, product).
public final class Flatten: UnaryLayer {
    public var name: String
    public init(name: String = "flatten") { self.name = name }
    public var parameters: [Parameter] { [] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { [inputShape.reduce(1, *)] }
    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { reshape(x, [x.batchSize, x.exampleSize]) }
}

/// Keras `Reshape`: a new per-example shape with the same element count (one -1 allowed).
public final class Reshape: UnaryLayer {
    public var name: String
    public let targetShape: [Int]
    private var resolved: [Int] = []
    public init(_ targetShape: [Int], name: String = "reshape") { self.targetShape = targetShape; self.name = name }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let n = inputShape.reduce(1, *)
        let unknown = targetShape.filter { $0 == -1 }.count
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        guard unknown <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw ShapeError(layer: name, "target_shape \(targetShape) may hold positive sizes and at most one -1")
        }
        if unknown == 1 {
            guard known > 0, n % known == 0 else {
                throw ShapeError(layer: name, "cannot reshape \(kerasShape(inputShape)) to \(kerasShape(targetShape))")
            }
            resolved = targetShape.map { $0 == -1 ? n / known : $0 }
        } else {
            guard known == n else {
                throw ShapeError(layer: name, "cannot reshape \(kerasShape(inputShape)) (\(n) values) to \(kerasShape(targetShape)) (\(known) values)")
            }
            resolved = targetShape
        }
        return resolved
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { reshape(x, [x.batchSize] + resolved) }
}

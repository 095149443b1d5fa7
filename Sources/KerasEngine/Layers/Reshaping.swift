/// Keras `ZeroPadding1D/2D/3D` (`crop` false) and `Cropping1D/2D/3D` (`crop` true): adds
/// zeros around, or removes entries from, the spatial axes of a channels-last input, each
/// axis by its own (before, after) amounts:
///
///     out_len = len + before + after   (padding)      out_len = len − before − after   (cropping)
public final class SpatialPadding: UnaryLayer {
    public struct Config {
        public var rank: Int
        /// True for Cropping, false for ZeroPadding.
        public var crop: Bool
        /// (before, after) per spatial axis: 1D (left, right); 2D ((top, bottom), (left, right));
        /// 3D (depth, height, width).
        public var amounts: [(before: Int, after: Int)]
        public init(rank: Int, crop: Bool, amounts: [(before: Int, after: Int)]) {
            self.rank = rank; self.crop = crop; self.amounts = amounts
        }
    }

    public var name: String
    public let config: Config

    public init(_ config: Config, name: String = "padding") { self.config = config; self.name = name }

    public var typeName: String { (config.crop ? "Cropping" : "ZeroPadding") + "\(config.rank)D" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName, what = c.crop ? "cropping" : "padding"
        guard (1...3).contains(c.rank) else { throw ShapeError(layer: name, "\(t): rank must be 1, 2 or 3") }
        guard c.amounts.count == c.rank, c.amounts.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw ShapeError(layer: name, "\(t) \(what) must be \(c.rank) pair(s) of non-negative integers")
        }
        try WindowShapes.checkRank(t, name, inputShape, rank: c.rank)
        var out = inputShape
        for (i, a) in c.amounts.enumerated() {
            out[i] = c.crop ? inputShape[i] - a.before - a.after : inputShape[i] + a.before + a.after
            guard out[i] > 0 else {
                throw ShapeError(layer: name, "\(t) cropping \(a.before)+\(a.after) leaves nothing of axis \(i + 1) of input \(kerasShape(inputShape))")
            }
        }
        return out
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let s: Int = config.crop ? -1 : 1
        guard config.rank == 3 else {
            let h = config.rank == 2 ? config.amounts[0] : (before: 0, after: 0), w = config.amounts[config.rank - 1]
            return padOrCrop2d(x, top: s * h.before, bottom: s * h.after, left: s * w.before, right: s * w.after)
        }
        // 3-D: the depth axis as a 1-D pad of (batch, depth, h·w·c), then height and width
        // as a 2-D pad of (batch·depth, h, w, c).
        let (n, d, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let (ad, ah, aw) = (config.amounts[0], config.amounts[1], config.amounts[2])
        let deep = padOrCrop2d(reshape(x, [n, d, h * w * c]), top: 0, bottom: 0, left: s * ad.before, right: s * ad.after)
        let od = deep.shape[1]
        let flat = padOrCrop2d(reshape(deep, [n * od, h, w, c]), top: s * ah.before, bottom: s * ah.after,
                               left: s * aw.before, right: s * aw.after)
        return reshape(flat, [n, od] + Array(flat.shape[1...]))
    }
}

/// Keras `UpSampling1D/2D` (nearest): repeats each step/row `size[0]` times and each
/// column `size[1]` times.
public final class UpSampling: UnaryLayer {
    public struct Config {
        public var rank: Int
        /// One value per spatial axis (1D default 2; 2D default (2, 2)).
        public var size: [Int]
        public init(rank: Int, size: [Int] = [2]) { self.rank = rank; self.size = size }
    }

    public var name: String
    public let config: Config
    private var factors: [Int] = []

    public init(_ config: Config, name: String = "up_sampling") { self.config = config; self.name = name }

    public var typeName: String { "UpSampling\(config.rank)D" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.rank == 1 || config.rank == 2 else { throw ShapeError(layer: name, "\(typeName): rank must be 1 or 2") }
        try WindowShapes.checkRank(typeName, name, inputShape, rank: config.rank)
        factors = try WindowShapes.expand(config.size, rank: config.rank, "size", typeName, name)
        var out = inputShape
        for i in 0..<config.rank { out[i] *= factors[i] }
        return out
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        config.rank == 1 ? upsampleNearest2d(x, sh: 1, sw: factors[0]) : upsampleNearest2d(x, sh: factors[0], sw: factors[1])
    }
}

/// Keras `Permute`: reorders the non-batch axes; `dims` is a 1-based permutation
/// (e.g. (2, 1) swaps the two axes of a sequence).
public final class Permute: UnaryLayer {
    public var name: String
    public let dims: [Int]
    public init(dims: [Int], name: String = "permute") { self.dims = dims; self.name = name }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard dims.sorted() == Array(1...Swift.max(dims.count, 1)), dims.count == inputShape.count else {
            throw ShapeError(layer: name, "Permute dims \(WindowShapes.tuple(dims)) must be a permutation of 1...\(inputShape.count) for input \(kerasShape(inputShape))")
        }
        return dims.map { inputShape[$0 - 1] }
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { transpose(x, [0] + dims) }
}

/// Keras `RepeatVector`: (batch, features) → (batch, n, features).
public final class RepeatVector: UnaryLayer {
    public var name: String
    public let n: Int
    public init(n: Int, name: String = "repeat_vector") { self.n = n; self.name = name }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard n > 0 else { throw ShapeError(layer: name, "RepeatVector n must be positive, got \(n)") }
        guard inputShape.count == 1 else {
            throw ShapeError(layer: name, "RepeatVector expects input of rank 2 (batch, features), got \(kerasShape(inputShape))")
        }
        return [n, inputShape[0]]
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { repeatVector(x, n) }
}

/// Keras's numeric preprocessing layers that sit inside a model: `Rescaling` and
/// `Normalization` (`keras/src/layers/preprocessing/`). Both are differentiable in their
/// input, so they may stand anywhere in a model, not only after the input.

/// Keras `Rescaling`: y = x · scale + offset. `scale` and `offset` are each one number
/// or one per channel (a list the length of the last axis, broadcast as NumPy does);
/// default offset 0.
public final class Rescaling: UnaryLayer {
    public struct Config: Equatable {
        /// One value, or one per channel (last axis).
        public var scale: [Float]
        public var offset: [Float] = [0]
        public init(scale: [Float], offset: [Float] = [0]) { self.scale = scale; self.offset = offset }
    }

    public var name: String
    public let config: Config

    public init(_ config: Config, name: String = "rescaling") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let last = inputShape.last ?? 1
        for (what, v) in [("scale", config.scale), ("offset", config.offset)] where v.count != 1 && v.count != last {
            throw ShapeError(layer: name, "Rescaling \(what) has \(v.count) values; expected 1 or one per channel (\(last)) for input \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        x * Rescaling.constant(config.scale) + Rescaling.constant(config.offset)
    }

    /// A scalar or a per-channel vector (broadcast on the last axis).
    static func constant(_ v: [Float]) -> Tensor { v.count == 1 ? Tensor(v[0]) : Tensor(shape: [v.count], data: v) }
}

/// Keras `Normalization`: y = (x − mean) / max(√variance, ε), or with `invert`
/// y = mean + x · max(√variance, ε); ε = 1e-7 (Keras's `backend.epsilon()`).
///
/// `axis` (Keras's: counted on the full shape, batch = 0, default −1; a list keeps
/// several axes; empty, Keras's `None`, one mean for everything) names the axes that
/// keep their own statistics. `mean` and `variance` come from the config (one number,
/// or one per entry of the last kept axis), or else are weights — Keras's order and
/// shapes: `mean` and `variance` of the kept axes' sizes and a scalar `count`, all
/// non-trainable — that a Keras file fills (`adapt()` is not run: left unloaded they are
/// 0 and 1, the identity, as in an un-adapted Keras layer).
public final class Normalization: UnaryLayer {
    public struct Config: Equatable {
        public var axis: [Int] = [-1]
        /// Given together, or neither (then the statistics are weights).
        public var mean: [Float]?
        public var variance: [Float]?
        public var invert = false
        public init(axis: [Int] = [-1], mean: [Float]? = nil, variance: [Float]? = nil, invert: Bool = false) {
            self.axis = axis; self.mean = mean; self.variance = variance; self.invert = invert
        }
    }

    /// Keras's `backend.epsilon()`.
    static let epsilon: Float = 1e-7

    public var name: String
    public let config: Config
    public private(set) var mean: Parameter?
    public private(set) var variance: Parameter?
    public private(set) var count: Parameter?
    /// The per-example shape statistics broadcast as (kept axes' sizes, 1 elsewhere).
    private var broadcastShape: [Int] = []
    /// The kept axes' sizes (the weights' shape).
    private var keptShape: [Int] = []

    public init(_ config: Config = Config(), name: String = "normalization") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [mean, variance, count].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let rank = inputShape.count + 1
        var kept = Set<Int>()
        for a in config.axis {
            let d = a < 0 ? a + rank : a
            guard d >= 1 && d < rank else {
                throw ShapeError(layer: name, "Normalization axis \(config.axis) must name non-batch axes of input \(kerasShape(inputShape))")
            }
            kept.insert(d)
        }
        let keptAxes = kept.sorted()
        broadcastShape = (1..<rank).map { kept.contains($0) ? inputShape[$0 - 1] : 1 }
        keptShape = keptAxes.map { inputShape[$0 - 1] }
        if let m = config.mean, let v = config.variance {
            guard m.count == v.count else {
                throw ShapeError(layer: name, "Normalization mean has \(m.count) values and variance \(v.count); they must have the same shape")
            }
            let last = keptAxes.last.map { inputShape[$0 - 1] }
            guard m.count == 1 || m.count == last else {
                throw ShapeError(layer: name, "Normalization mean and variance have \(m.count) values; expected 1 or \(last.map(String.init) ?? "1") (the size of the last axis in \(config.axis)) for input \(kerasShape(inputShape))")
            }
        } else if config.mean != nil || config.variance != nil {
            throw ShapeError(layer: name, "Normalization needs both mean and variance, or neither")
        }
        if let m = mean, m.shape != keptShape {
            throw ShapeError(layer: name, "Normalization was built for statistics of shape \(kerasShape(m.shape)), got input \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard config.mean == nil, mean == nil else { return }
        // Through the initializers, so the memory budget and stand-in builds see them.
        mean = Parameter(name: "\(name)/mean", value: Initializer.zeros.make(keptShape, rng: &context.rng), trainable: false)
        variance = Parameter(name: "\(name)/variance", value: Initializer.ones.make(keptShape, rng: &context.rng), trainable: false)
        count = Parameter(name: "\(name)/count", value: Initializer.zeros.make([], rng: &context.rng), trainable: false)
    }

    /// The statistics broadcast to `[1] + broadcastShape`: the mean and max(√variance, ε).
    private func statistics() -> (mean: Tensor, scale: Tensor) {
        let shape = [1] + broadcastShape
        func expand(_ values: [Float]) -> Tensor {
            // One value, or one per entry of the last kept axis (Keras reshapes it there);
            // every axis after that one has size 1 here, so entry i takes value i mod n.
            if values.count == 1 { return Tensor(shape: shape, repeating: values[0]) }
            var t = Tensor(uninitializedShape: shape)
            let p = t.freshPointer
            for i in 0..<t.count { p[i] = values[i % values.count] }
            return t
        }
        let m: Tensor, v: Tensor
        if let cm = config.mean, let cv = config.variance {
            (m, v) = (expand(cm), expand(cv))
        } else if let mean, let variance {
            (m, v) = (mean.value.detached.viewed(as: shape), variance.value.detached.viewed(as: shape))
        } else {
            preconditionFailure("Normalization '\(name)' used before build")
        }
        var s = v
        s.withMutableData { d in for i in 0..<d.count { d[i] = Swift.max(d[i].squareRoot(), Normalization.epsilon) } }
        return (m, s)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let (m, s) = statistics()
        return config.invert ? m + x * s : (x - m) / s
    }
}

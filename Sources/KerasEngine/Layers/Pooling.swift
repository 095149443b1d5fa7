/// Keras `MaxPooling1D/2D` and `AveragePooling1D/2D`, channels last:
///
///     y[b, oy, ox, c] = max (or mean) of x over the window at (oy·sh − pt, ox·sw − pl)
///
/// "same" pads with the extra cell after; padded cells are ignored (the average divides
/// by the number of real cells, as Keras/TF).
public final class Pooling: UnaryLayer {
    public enum Kind: String, Sendable { case max, average }

    public struct Config {
        public var kind: Kind
        /// 1 or 2 spatial axes.
        public var rank: Int
        public var poolSize: [Int] = [2]
        /// nil (Keras None) = pool_size.
        public var strides: [Int]?
        public var padding: ConvPadding = .valid
        public init(kind: Kind, rank: Int, poolSize: [Int] = [2], strides: [Int]? = nil, padding: ConvPadding = .valid) {
            self.kind = kind; self.rank = rank; self.poolSize = poolSize; self.strides = strides; self.padding = padding
        }
    }

    public var name: String
    public let config: Config
    private var geometry: ConvGeometry?
    /// The window geometry the layer was built with.
    var builtGeometry: ConvGeometry? { geometry }

    public init(_ config: Config, name: String = "pooling") { self.config = config; self.name = name }

    public var typeName: String { (config.kind == .max ? "MaxPooling" : "AveragePooling") + "\(config.rank)D" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let c = config, t = typeName
        guard c.rank == 1 || c.rank == 2 else { throw ShapeError(layer: name, "\(t): rank must be 1 or 2") }
        guard c.padding != .causal else { throw ShapeError(layer: name, "\(t) padding must be \"valid\" or \"same\"") }
        try WindowShapes.checkRank(t, name, inputShape, rank: c.rank)
        let g = try WindowShapes.geometry(t, name, input: inputShape, rank: c.rank, kernel: c.poolSize,
                                          strides: c.strides ?? c.poolSize, dilation: [1], padding: c.padding,
                                          outChannels: inputShape[c.rank])
        geometry = g
        return WindowShapes.outputShape(g, rank: c.rank)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let g = geometry else { preconditionFailure("\(typeName) '\(name)' used before build") }
        return config.kind == .max ? maxPool2d(x, geometry: g) : averagePool2d(x, geometry: g)
    }
}

/// Keras `GlobalMaxPooling1D/2D` and `GlobalAveragePooling1D/2D`: max or mean over the
/// spatial axes, (batch, ..., c) → (batch, c), or (batch, 1..., c) with `keepdims`.
/// With a Keras mask, `GlobalAveragePooling1D` averages the unmasked steps only
/// (sum(x·m) / sum(m); a fully masked sequence gives 0 where Keras divides 0 by 0);
/// the other three ignore it, as Keras's do. None passes a mask on.
public final class GlobalPooling: UnaryLayer, GraphMaskReader {
    public struct Config {
        public var kind: Pooling.Kind
        public var rank: Int
        public var keepdims = false
        public init(kind: Pooling.Kind, rank: Int, keepdims: Bool = false) {
            self.kind = kind; self.rank = rank; self.keepdims = keepdims
        }
    }

    public var name: String
    public let config: Config

    public init(_ config: Config, name: String = "global_pooling") { self.config = config; self.name = name }

    public var typeName: String { (config.kind == .max ? "GlobalMaxPooling" : "GlobalAveragePooling") + "\(config.rank)D" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.rank == 1 || config.rank == 2 else { throw ShapeError(layer: name, "\(typeName): rank must be 1 or 2") }
        try WindowShapes.checkRank(typeName, name, inputShape, rank: config.rank)
        let c = inputShape[config.rank]
        return config.keepdims ? [Int](repeating: 1, count: config.rank) + [c] : [c]
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        forward([x], masks: [], training: training).outputs[0]
    }

    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { nil }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let x = inputs[0]
        let y: Tensor
        if config.kind == .average, config.rank == 1, x.rank == 3, let m = masks.firstMask, m.count == x.shape[0] * x.shape[1] {
            y = maskedMeanOverTime(x, mask: m)
        } else {
            y = config.kind == .max ? globalMaxPool(x) : globalAveragePool(x)
        }
        guard config.keepdims else { return ([y], nil) }
        return ([reshape(y, [x.shape[0]] + [Int](repeating: 1, count: config.rank) + [x.shape[x.rank - 1]])], nil)
    }
}

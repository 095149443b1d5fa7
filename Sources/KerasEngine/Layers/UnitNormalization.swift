/// Keras `UnitNormalization`: each example scaled to unit L2 norm over `axis` (an axis or
/// a list of axes, default the last), as Keras's `ops.normalize(x, order=2, epsilon=1e-12)`:
///
///     y = x · min(1/√Σx², 1e12)
///
/// No weights.
public final class UnitNormalization: UnaryLayer {
    public struct Config {
        /// Axes (batch = 0, negative from the end).
        public var axis: [Int] = [-1]
        public init(axis: [Int] = [-1]) { self.axis = axis }
    }

    public var name: String
    public let config: Config
    private var axes: NormalizedAxes?

    public init(_ config: Config = Config(), name: String = "unit_normalization") { self.config = config; self.name = name }

    public var typeName: String { "UnitNormalization" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        axes = try NormalizedAxes(config.axis, inputShape: inputShape, layer: name, kind: "UnitNormalization")
        return inputShape
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let axes else { preconditionFailure("UnitNormalization '\(name)' used before build") }
        return axes.apply(x) { l2Normalize($0, normalizedCount: axes.shape.reduce(1, *), epsilon: 1e-12) }
    }
}

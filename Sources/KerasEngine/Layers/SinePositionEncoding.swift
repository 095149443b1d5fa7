import Foundation

/// keras_hub's `SinePositionEncoding` (Vaswani et al. 2017): the fixed encoding of each
/// position `p` and feature `j` of a `(batch, steps, features)` input,
///
///     angle = p · max_wavelength^(−2⌊j/2⌋/features),  sin(angle) for even j, cos(angle) for odd j
///
/// broadcast over the batch. The input supplies only the shape (the output does not depend
/// on its values, so no gradient flows to it); add it to the input with `Add`, as
/// keras_hub's models do. No weights.
public final class SinePositionEncoding: UnaryLayer {
    public struct Config {
        public var maxWavelength: Float = 10000
        public init(maxWavelength: Float = 10000) { self.maxWavelength = maxWavelength }
    }

    public var name: String
    public let config: Config

    public init(_ config: Config = Config(), name: String = "sine_position_encoding") { self.config = config; self.name = name }

    public var typeName: String { "SinePositionEncoding" }
    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.maxWavelength > 0 && config.maxWavelength.isFinite else {
            throw ShapeError(layer: name, "max_wavelength must be a positive number, got \(config.maxWavelength)")
        }
        guard inputShape.count >= 2 else {
            throw ShapeError(layer: name, "SinePositionEncoding expects input of shape (None, steps, features), got \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let steps = x.shape[x.rank - 2], width = x.shape[x.rank - 1], n = steps * width
        let out = Tensor(uninitializedShape: x.shape)
        let po = out.freshPointer
        guard n > 0 else { return out }
        // In float32, as keras_hub computes it.
        let minFrequency = 1 / config.maxWavelength
        let timescales = (0..<width).map { j in powf(minFrequency, Float(2 * (j / 2)) / Float(width)) }
        for p in 0..<steps {
            for j in 0..<width {
                let angle = Float(p) * timescales[j]
                po[p * width + j] = j % 2 == 0 ? sinf(angle) : cosf(angle)
            }
        }
        for copy in 1..<Swift.max(1, x.count / n) { (po + copy * n).update(from: po, count: n) }
        return out
    }
}

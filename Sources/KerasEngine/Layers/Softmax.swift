/// Keras `Softmax` layer: `y = exp(x − max) / Σ exp(x − max)` along `axis`, per example.
/// `axis` counts the batch axis as 0, as Keras does: the default −1 (or the rank) is the
/// last axis; the batch axis itself is not allowed. No weights; the gradient comes from
/// the `softmax` op (`dx = y ⊙ (g − Σ g ⊙ y)`).
public final class Softmax: UnaryLayer {
    public typealias Config = AxisConfig

    public var name: String
    public let config: Config

    public init(_ config: Config = Config(), name: String = "softmax") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.resolved(exampleRank: inputShape.count) != nil else {
            throw ShapeError(layer: name, "Softmax axis \(config.axis) is not a non-batch axis of input \(kerasShape(inputShape))")
        }
        return inputShape
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { softmax(x, axis: config.axis) }
}

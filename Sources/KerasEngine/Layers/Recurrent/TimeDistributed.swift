/// Keras `TimeDistributed`: applies a one-input layer to every time step of
/// (batch, time, ...) by folding time into the batch: (batch·time, ...) → layer →
/// (batch, time, ...). Its weights are the wrapped layer's; masks pass through.
public final class TimeDistributed: UnaryLayer, MaskComputing {
    public var name: String
    public let layer: any UnaryLayer

    public init(_ layer: any UnaryLayer, name: String = "time_distributed") {
        self.layer = layer
        self.name = name
    }

    public var parameters: [Parameter] { layer.parameters }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count >= 2 else {
            throw ShapeError(layer: name, "TimeDistributed needs an input of at least 3 dimensions (None, timesteps, ...), got \(kerasShape(inputShape))")
        }
        return [inputShape[0]] + (try layer.outputShape(for: Array(inputShape.dropFirst())))
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        _ = try layer.build(inputShapes: [Array(inputShape.dropFirst())], context: &context)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        let b = x.shape[0], T = x.shape[1]
        let y = layer(reshape(x, [b * T] + x.shape.dropFirst(2)), training: training)
        return reshape(y, [b, T] + y.shape.dropFirst())
    }
}

/// Keras `Concatenate(axis=-1)`: joins the inputs along `axis` (counted on the full
/// shape, batch axis included, so `axis=1` is the first per-example axis; negative
/// counts from the end). All other sizes must match.
///
/// `y[..., o₁ + j, ...] = xᵢ[..., j, ...]` where `oᵢ` is the sum of the sizes before input `i`;
/// the backward pass hands each input its slice of the gradient.
public final class Concatenate: Layer {
    public typealias Config = AxisConfig

    public var name: String
    public let config: Config
    public init(_ config: Config = Config(), name: String = "concatenate") { self.config = config; self.name = name }
    public convenience init(axis: Int, name: String = "concatenate") { self.init(Config(axis: axis), name: name) }

    public var parameters: [Parameter] { [] }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let received = "Received: input_shape=[" + inputShapes.map(kerasShape).joined(separator: ", ") + "]"
        guard let first = inputShapes.first else {
            throw ShapeError(layer: name, "A `Concatenate` layer should be called on a list of at least 1 input. \(received)")
        }
        let rank = first.count
        guard let ax = config.resolved(exampleRank: rank) else {
            throw ShapeError(layer: name, "axis \(config.axis) is out of range for inputs of rank \(rank + 1) (the batch axis 0 cannot be concatenated). \(received)")
        }
        var out = first
        for s in inputShapes.dropFirst() {
            guard s.count == rank, zip(s, first).enumerated().allSatisfy({ $0.offset == ax - 1 || $0.element.0 == $0.element.1 }) else {
                throw ShapeError(layer: name, "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. \(received)")
            }
            out[ax - 1] += s[ax - 1]
        }
        return [out]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        [concatenate(inputs, axis: config.axis < 0 ? config.axis + inputs[0].rank : config.axis)]
    }
}

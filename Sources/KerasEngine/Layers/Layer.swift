/// What a layer gets when it is built: its input shapes are known and it may draw
/// initial weights from `rng`.
public struct BuildContext {
    public var rng: RNG
    public init(rng: RNG) { self.rng = rng }
}

/// A shape problem found while building a model; the builder locates it in the spec.
public struct ShapeError: Error, CustomStringConvertible {
    public let layer: String
    public let message: String
    public init(layer: String, _ message: String) { self.layer = layer; self.message = message }
    public var description: String { "\(layer): \(message)" }
}

/// A layer: explicit parameters, shape inference that throws on a bad input, and a
/// forward pass built from differentiable ops (so its gradients come from the tape).
///
/// Shapes exclude the batch dimension. Most layers take one tensor and should conform
/// to `UnaryLayer`; merge layers and layers with several outputs implement this
/// protocol directly.
public protocol Layer: AnyObject {
    /// The layer's name (unique in a model).
    var name: String { get set }
    /// Every weight, trainable or not, in Keras's `get_weights()` order.
    var parameters: [Parameter] { get }
    /// Checks the input shapes, creates the weights and returns the output shapes.
    func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]]
    /// The forward pass. `training` switches dropout, noise and batch statistics.
    func forward(_ inputs: [Tensor], training: Bool) -> [Tensor]
    /// Keras's class name, shown by `summary`.
    var typeName: String { get }
}

/// A layer that adds terms to the loss during its forward pass (Keras's `add_loss`,
/// e.g. activity regularization). The trainer collects and clears them every step.
public protocol LossContributing: Layer {
    var lossTerms: [Tensor] { get set }
}

extension Layer {
    public var typeName: String { String(describing: type(of: self)) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public var trainableCount: Int { parameters.filter(\.trainable).reduce(0) { $0 + $1.count } }
}

/// A layer with one input and one output.
public protocol UnaryLayer: Layer {
    /// The output shape for `inputShape`; throws `ShapeError` when the input does not fit.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Creates the weights for `inputShape` (called once, after `outputShape` accepted it).
    func build(inputShape: [Int], context: inout BuildContext) throws
    func callAsFunction(_ x: Tensor, training: Bool) -> Tensor
}

extension UnaryLayer {
    public func build(inputShape: [Int], context: inout BuildContext) throws {}

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes.count == 1 else {
            throw ShapeError(layer: name, "expects 1 input, got \(inputShapes.count)")
        }
        let out = try outputShape(for: inputShapes[0])
        try build(inputShape: inputShapes[0], context: &context)
        return [out]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        [self(inputs[0], training: training)]
    }
}

/// Formats a shape as Keras prints it, with the batch axis: `(None, 28, 28, 1)`.
public func kerasShape(_ shape: [Int]) -> String {
    "(" + (["None"] + shape.map(String.init)).joined(separator: ", ") + (shape.isEmpty ? ",)" : ")")
}

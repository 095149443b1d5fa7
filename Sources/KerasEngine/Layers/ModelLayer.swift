/// A model used as a layer of another model (Keras's nested models: a `Sequential` stem
/// in a functional network, a saved backbone under a new head). Its weights are the inner
/// model's, in its layer order. With `trainable` false (Keras's `model.trainable = False`)
/// the weights are frozen and the model always runs in inference mode, as Keras's
/// transfer-learning guide calls a frozen base model with `training=False`.
open class ModelLayer: Layer {
    public var name: String
    /// The inner model.
    public let model: Model
    /// False: frozen weights, inference mode.
    public let trainable: Bool

    public init(_ model: Model, name: String? = nil, trainable: Bool = true) {
        self.model = model
        self.name = name ?? model.name
        self.trainable = trainable
        if !trainable { freeze() }
    }

    open var typeName: String { model is Sequential ? "Sequential" : "Functional" }
    public var parameters: [Parameter] { model.parameters }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let out: [[Int]]
        do {
            out = try model.buildNested(inputShapes: inputShapes, context: &context)
        } catch let e as ShapeError {
            throw ShapeError(layer: name, e.layer == model.name ? e.message : "\(e.layer): \(e.message)")
        }
        if !trainable { freeze() }
        if !namesScoped {
            // Keras 3's variable paths: the inner `dense/kernel` is `features/dense/kernel`,
            // so an inner layer may share a name with an outer one.
            for p in model.parameters { p.name = "\(name)/\(p.name)" }
            namesScoped = true
        }
        return out
    }

    private var namesScoped = false

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        model.call(inputs, training: trainable && training)
    }

    private func freeze() { for p in model.parameters { p.trainable = false } }
}

// Subclassing in Swift: a custom layer and a custom model, trained on synthetic data.
//
//   swift run CustomLayerExample
//
// The custom layer writes only its forward pass from differentiable ops; the tape
// supplies its gradients. The custom model subclasses `Model` and gets `compile`,
// `fit`, `evaluate` and `summary` for free. Registered with `CustomLayers`, the layer
// is also usable from a YAML spec (the last part builds the same skip model from YAML).
import KerasBuilder
import KerasEngine
import KerasSpec

/// `y = x ⊙ γ`: a learned per-feature scale (γ starts at 1).
final class Scale: UnaryLayer {
    var name: String
    private(set) var gamma: Parameter?
    init(name: String = "scale") { self.name = name }

    var parameters: [Parameter] { gamma.map { [$0] } ?? [] }
    func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    func build(inputShape: [Int], context: inout BuildContext) throws {
        if gamma == nil { gamma = Parameter(name: "\(name)/gamma", value: Tensor(shape: [inputShape.last ?? 1], repeating: 1)) }
    }
    func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { x * gamma!.value }
}

/// A model with a skip connection written as plain Swift: `dense2(dense1(x) + scale(x))`.
final class SkipModel: Model, LayerShapeReporting {
    let dense1 = Dense(units: 4, activation: .tanh, name: "dense1")
    let scale = Scale()
    let dense2 = Dense(units: 2, activation: .softmax(), name: "dense2")
    private var shapes = LayerShapeLog()

    init() { super.init(name: "skip_model") }

    override var layers: [any Layer] { [dense1, scale, dense2] }

    override func buildLayers(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let h = try shapes.build(dense1, inputShapes: inputShapes, context: &context)
        _ = try shapes.build(scale, inputShapes: inputShapes, context: &context)
        return try shapes.build(dense2, inputShapes: h, context: &context)
    }

    override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        let x = inputs[0]
        return [dense2(dense1(x, training: training) + scale(x, training: training), training: training)]
    }

    func outputShapes(of layer: any Layer) -> [[Int]]? { shapes.outputShapes(of: layer) }
}

// Register the custom layer so a YAML spec can say `- Scale: {name: s}`.
CustomLayers.register("Scale") { args in Scale(name: args.name) }

// Synthetic data: class 1 when x0 + x1 - x2 + 0.5·x3 > 0.
var rng = RNG(seed: 42)
let n = 512
var x = Tensor(shape: [n, 4]), y = Tensor(shape: [n])
for i in 0..<n {
    var s: Float = 0
    for (j, w) in [Float(1), 1, -1, 0.5].enumerated() {
        let v = Float(rng.normal()); x[flat: 4 * i + j] = v; s += w * v
    }
    y[flat: i] = s > 0 ? 1 : 0
}
let data = Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])

let model = SkipModel()
try model.build(inputShapes: [[4]], seed: 7)
print(model.summary(), terminator: "")
model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
              losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
let history = try model.fit(data, options: FitOptions(epochs: 10, batchSize: 32, seed: 1))
for (epoch, logs) in history.logs.enumerated() {
    print("epoch \(epoch + 1): loss \(logs["loss"]!) accuracy \(logs["accuracy"]!)")
}
let scaleMaker = CustomLayers.maker(for: "Scale")!
print("registered custom layers: \(CustomLayers.names); made: \(try scaleMaker(CustomLayerArguments(layerType: "Scale", name: "s", values: [:])).typeName)")

// The same model as a functional spec: `Scale` is not a built-in layer, so the builder
// makes it through the `CustomLayers` registration above.
let yaml = """
    name: skip_from_yaml
    model:
      type: functional
      inputs: [Input: {name: x, shape: [4]}]
      layers:
        - Dense: {name: dense1, units: 4, activation: tanh, inputs: x}
        - Scale: {name: scale, inputs: x}
        - Add: {name: skip, inputs: [dense1, scale]}
        - Dense: {name: dense2, units: 2, activation: softmax, inputs: skip}
      outputs: [dense2]
    """
let fromYAML = try ModelBuilder.build(try Spec.parse(text: yaml, file: "skip.yaml"), seed: 7)
print(fromYAML.summary(), terminator: "")
fromYAML.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
                 losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
let yamlHistory = try fromYAML.fit(data, options: FitOptions(epochs: 10, batchSize: 32, seed: 1))
print("from YAML, epoch 10: loss \(yamlHistory.logs.last!["loss"]!) accuracy \(yamlHistory.logs.last!["accuracy"]!)")

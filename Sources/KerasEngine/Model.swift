/// Keras's `Model`: layers, their weights, and (after `compile`) what training needs.
///
/// Subclass it in Swift to write a custom model: override `layers`,
/// `buildLayers(inputShapes:context:)` and `call(_:training:)`; `fit`, `evaluate`,
/// `predict`, `summary` and saving then work as for built-in models.
open class Model {
    public var name: String
    public var inputNames: [String]
    public var outputNames: [String]
    public private(set) var inputShapes: [[Int]] = []
    public private(set) var outputShapes: [[Int]] = []
    public private(set) var isBuilt = false
    /// Float32 values of every layer's outputs for one example (checked when built); a
    /// batch's activations are this times the batch size.
    public internal(set) var activationElementsPerExample = 0

    // Set by compile.
    public var optimizer: Optimizer?
    /// One loss per output (nil = that output is not trained).
    public var losses: [(any Loss)?] = []
    public var lossWeights: [Float] = []
    /// Metrics per output.
    public var metrics: [[any Metric]] = []
    /// Set by callbacks to end `fit` after the current epoch.
    public var stopTraining = false

    public init(name: String, inputNames: [String] = ["input"], outputNames: [String] = ["output"]) {
        self.name = name; self.inputNames = inputNames; self.outputNames = outputNames
    }

    /// The layers in order, for summaries and weights.
    open var layers: [any Layer] { [] }

    /// Builds every layer for `inputShapes` (batch excluded) and returns the output shapes.
    open func buildLayers(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        var shapes = inputShapes
        for layer in layers { shapes = try Model.checkedBuild(layer, inputShapes: shapes, context: &context) }
        return shapes
    }

    /// The forward pass.
    open func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        var xs = inputs
        for layer in layers { xs = layer.forward(xs, training: training) }
        return xs
    }

    /// Builds the model once for its input shapes, drawing initial weights from `seed`.
    public func build(inputShapes: [[Int]], seed: UInt64) throws {
        var context = BuildContext(rng: RNG(seed: seed))
        WeightAllocation.begin()
        defer { WeightAllocation.end() }
        try Model.checkInputShapes(inputShapes, model: name)
        outputShapes = try buildLayers(inputShapes: inputShapes, context: &context)
        activationElementsPerExample = WeightAllocation.activationElements
        self.inputShapes = inputShapes
        if inputNames.count != inputShapes.count { inputNames = inputShapes.indices.map { inputShapes.count == 1 ? "input" : "input_\($0)" } }
        if outputNames.count != outputShapes.count { outputNames = outputShapes.indices.map { outputShapes.count == 1 ? "output" : "output_\($0)" } }
        isBuilt = true
    }

    /// Builds the model as a layer of another model (``ModelLayer``): its weights are
    /// drawn from the outer model's `context`. A model already built (a saved model used
    /// as a layer) keeps its weights; its input shapes must match.
    func buildNested(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        if isBuilt {
            guard inputShapes == self.inputShapes else {
                throw ShapeError(layer: name, "expected input shape\(self.inputShapes.count == 1 ? "" : "s") \(self.inputShapes.map(kerasShape).joined(separator: ", ")), got \(inputShapes.map(kerasShape).joined(separator: ", "))")
            }
            return outputShapes
        }
        try Model.checkInputShapes(inputShapes, model: name)
        outputShapes = try buildLayers(inputShapes: inputShapes, context: &context)
        self.inputShapes = inputShapes
        isBuilt = true
        return outputShapes
    }

    /// Every weight, each once, in layer order.
    public var parameters: [Parameter] {
        var seen = Set<ObjectIdentifier>(), out: [Parameter] = []
        for l in layers { for p in l.parameters where seen.insert(ObjectIdentifier(p)).inserted { out.append(p) } }
        return out
    }
    public var trainableParameters: [Parameter] { parameters.filter(\.trainable) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public var trainableCount: Int { trainableParameters.reduce(0) { $0 + $1.count } }

    /// Keras's `compile`.
    public func compile(optimizer: Optimizer, losses: [(any Loss)?], lossWeights: [Float]? = nil, metrics: [[any Metric]] = []) {
        self.optimizer = optimizer
        self.losses = losses
        self.lossWeights = lossWeights ?? Array(repeating: 1, count: losses.count)
        self.metrics = metrics.count == losses.count ? metrics : Array(repeating: [], count: losses.count)
    }
}

/// Keras `Sequential`: a stack of layers, each feeding the next.
public final class Sequential: Model, LayerShapeReporting {
    public private(set) var stack: [any Layer]
    public init(name: String = "sequential", layers: [any Layer]) {
        stack = layers
        super.init(name: name)
    }
    public override var layers: [any Layer] { stack }
    public func add(_ layer: any Layer) { stack.append(layer) }

    public override func buildLayers(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes.count == 1 else { throw ShapeError(layer: name, "a Sequential model has one input, got \(inputShapes.count)") }
        var shapes = inputShapes
        for layer in stack { shapes = try shapeLog.build(layer, inputShapes: shapes, context: &context) }
        chains = [:]
        var i = 0
        while i < stack.count {  // each layer's output is read by the next one alone
            func at(_ j: Int) -> (Int, any Layer)? { j < stack.count ? (j, stack[j]) : nil }
            if let chain = inferenceChain((i, stack[i]), at(i + 1), at(i + 2)) {
                chains[i] = chain
                i = (chain.nodes.last ?? i) + 1
            } else {
                i += 1
            }
        }
        return shapes
    }

    /// Convolution → BatchNormalization (→ activation) runs that inference runs as one step,
    /// by the index of their first layer (as a functional graph's chains).
    private(set) var chains: [Int: any InferenceChain] = [:]

    /// Output shapes of the built layers (so `summary()` shows those of layers that are
    /// not `UnaryLayer`s, such as LSTM).
    private var shapeLog = LayerShapeLog()
    public func outputShapes(of layer: any Layer) -> [[Int]]? { shapeLog.outputShapes(of: layer) }

    /// The layers in order, with Keras masks passed from producers to consumers.
    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forwardWithMasks(stack, inputs, training: training, chains: chains)
    }
}

/// The layers `keras.applications` models define for themselves and save under their
/// registered names: ConvNeXt's `LayerScale` and `StochasticDepth`
/// (`keras/src/applications/convnext.py`) and InceptionResNetV2's `CustomScaleLayer`
/// (`inception_resnet_v2.py`).

/// ConvNeXt's `LayerScale`: y = x · γ, γ a trainable vector of `projection_dim` values
/// initialised to `init_values`, broadcast on the last axis. Weight: gamma.
public final class LayerScale: UnaryLayer {
    public struct Config: Equatable {
        public var initValues: Float
        public var projectionDim: Int
        public init(initValues: Float, projectionDim: Int) { self.initValues = initValues; self.projectionDim = projectionDim }
    }

    public var name: String
    public let config: Config
    public private(set) var gamma: Parameter?

    public init(_ config: Config, name: String = "layer_scale") { self.config = config; self.name = name }

    public var parameters: [Parameter] { [gamma].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard config.projectionDim > 0, let out = Broadcast.shape(inputShape, [config.projectionDim]), !inputShape.isEmpty else {
            throw ShapeError(layer: name, "LayerScale with projection_dim \(config.projectionDim) does not fit input \(kerasShape(inputShape)) (its last axis must be \(config.projectionDim))")
        }
        return out
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard gamma == nil else { return }
        gamma = Parameter(name: "\(name)/gamma", value: Initializer.constant(config.initValues).make([config.projectionDim], rng: &context.rng))
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let gamma else { preconditionFailure("LayerScale '\(name)' used before build") }
        return x * gamma.value
    }
}

/// ConvNeXt's `StochasticDepth` (drop path): in training each example's whole input is
/// kept with probability 1 − drop_path_rate and then scaled by 1/(1 − drop_path_rate),
/// or zeroed — Keras's `(x / keep) · floor(keep + U[0, 1))`, one draw per example; the
/// identity in inference. drop_path_rate in [0, 1).
public final class StochasticDepth: UnaryLayer, RandomStateful {
    public var name: String
    public let dropPathRate: Float
    /// A Dropout whose mask has one value per example.
    private var dropout: Dropout

    public init(dropPathRate: Float, name: String = "stochastic_depth") {
        self.dropPathRate = dropPathRate; self.name = name
        dropout = Dropout(rate: Swift.min(Swift.max(dropPathRate, 0), 0.999), name: name)
    }

    public var parameters: [Parameter] { [] }
    public var randomState: RNG { get { dropout.randomState } set { dropout.randomState = newValue } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard dropPathRate >= 0 && dropPathRate < 1 else {
            throw ShapeError(layer: name, "StochasticDepth drop_path_rate must be in [0, 1), got \(dropPathRate)")
        }
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        dropout = Dropout(rate: dropout.rate, noiseShape: [Int?](repeating: 1, count: inputShape.count), name: name)
        try dropout.build(inputShape: inputShape, context: &context)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { dropout(x, training: training) }
}

/// InceptionResNetV2's `CustomScaleLayer`: called on two tensors [x, r], y = x + r · scale
/// (the residual branch scaled before it joins the shortcut). Shapes broadcast as in
/// Keras's merge layers.
public final class CustomScaleLayer: ElementwiseMerge {
    public var name: String
    public let scale: Float
    public init(scale: Float, name: String = "custom_scale_layer") { self.scale = scale; self.name = name }

    public func checkArity(_ inputShapes: [[Int]]) throws {
        guard inputShapes.count == 2 else {
            throw ShapeError(layer: name, "CustomScaleLayer is called on exactly 2 inputs [x, residual], got \(inputShapes.count)")
        }
    }

    public func merge(_ xs: [Tensor]) -> Tensor { xs[0] + xs[1] * scale }
}

/// The learned scale (gamma) and offset (beta) of Keras's LayerNormalization and
/// GroupNormalization: `center`, `scale` and the gamma/beta initializers, regularizers
/// and constraints, with Keras's defaults.
public struct ScaleOffsetOptions {
    public var center = true
    public var scale = true
    public var betaInitializer: Initializer = .zeros
    public var gammaInitializer: Initializer = .ones
    public var betaRegularizer: (any Regularizer)?
    public var gammaRegularizer: (any Regularizer)?
    public var betaConstraint: (any Constraint)?
    public var gammaConstraint: (any Constraint)?
    public init() {}

    /// `<layer>/gamma` of `shape` (nil without `scale`).
    func makeGamma(layer: String, shape: [Int], rng: inout RNG, force: Bool = false) -> Parameter? {
        guard scale || force else { return nil }
        return Parameter(name: "\(layer)/gamma", value: gammaInitializer.make(shape, rng: &rng), regularizer: gammaRegularizer,
                         constraint: gammaConstraint)
    }

    /// `<layer>/beta` of `shape` (nil without `center`).
    func makeBeta(layer: String, shape: [Int], rng: inout RNG) -> Parameter? {
        guard center else { return nil }
        return Parameter(name: "\(layer)/beta", value: betaInitializer.make(shape, rng: &rng), regularizer: betaRegularizer,
                         constraint: betaConstraint)
    }
}

/// Configs composing ``ScaleOffsetOptions`` as `scaleOffset`.
public protocol ComposesScaleOffsetOptions: ComposesOptions where Options == ScaleOffsetOptions {
    var scaleOffset: ScaleOffsetOptions { get set }
}
extension ComposesScaleOffsetOptions {
    public static var composed: WritableKeyPath<Self, ScaleOffsetOptions> { \.scaleOffset }
}

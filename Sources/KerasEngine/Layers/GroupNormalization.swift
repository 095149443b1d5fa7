/// Keras `GroupNormalization` (Wu & He 2018): the `axis` channels (default the last) are
/// cut into `groups` consecutive groups; each example's group is normalized over its
/// channels and every other non-batch axis, then scaled and shifted per channel:
///
///     x̂ = (x − mean_g)/√(var_g + ε),  y = γ_c·x̂ + β_c
///
/// `groups: -1` gives one group per channel (instance normalization); one group is layer
/// normalization over all axes. Weights (Keras order): gamma, beta, each `[channels]`.
/// Runs as the layer-norm op on `[batch·groups, group values]` rows.
public final class GroupNormalization: UnaryLayer {
    @dynamicMemberLookup
    public struct Config: ComposesScaleOffsetOptions {
        /// -1: one group per channel.
        public var groups = 32
        public var axis = -1
        public var epsilon: Float = 1e-3
        /// center, scale, gamma/beta initializers, regularizers, constraints.
        public var scaleOffset = ScaleOffsetOptions()
        public init(groups: Int = 32) { self.groups = groups }
    }

    public var name: String
    public let config: Config
    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    private var axes: NormalizedAxes?
    private var groups = 0

    public init(_ config: Config = Config(), name: String = "group_normalization") { self.config = config; self.name = name }

    public var typeName: String { "GroupNormalization" }
    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let a = try NormalizedAxes([config.axis], inputShape: inputShape, layer: name, kind: "GroupNormalization")
        let channels = a.shape[0], g = config.groups == -1 ? channels : config.groups
        guard g > 0 else {
            throw ShapeError(layer: name, "Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance normalization). Received: groups=\(config.groups)")
        }
        guard channels >= g else { throw ShapeError(layer: name, "Number of groups (\(g)) cannot be more than the number of channels (\(channels)).") }
        guard channels % g == 0 else { throw ShapeError(layer: name, "Number of groups (\(g)) must be a multiple of the number of channels (\(channels)).") }
        if let p = gamma ?? beta, p.shape != [channels] {
            throw ShapeError(layer: name, "GroupNormalization was built for \(p.shape[0]) channels, got \(kerasShape(inputShape))")
        }
        axes = a; groups = g
        return inputShape
    }

    public func build(inputShape: [Int], context: inout BuildContext) throws {
        guard gamma == nil && beta == nil, let channels = axes?.shape else { return }
        gamma = config.scaleOffset.makeGamma(layer: name, shape: channels, rng: &context.rng)
        beta = config.scaleOffset.makeBeta(layer: name, shape: channels, rng: &context.rng)
    }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        guard let axes else { preconditionFailure("GroupNormalization '\(name)' used before build") }
        let g = groups
        return axes.apply(x) { v in
            // (batch, steps, channels) → (batch, groups, steps·channels/groups) rows.
            let batch = v.shape[0], channels = v.shape[v.rank - 1], steps = v.count / Swift.max(1, batch * channels)
            var t = reshape(v, [batch, steps, g, channels / g])
            if steps > 1 && g > 1 { t = transpose(t, [0, 2, 1, 3]) }
            let perGroup = steps * (channels / g)
            t = layerNorm(reshape(t, [batch * g, perGroup]), normalizedCount: perGroup, gamma: nil, beta: nil, epsilon: config.epsilon)
            t = reshape(t, steps > 1 && g > 1 ? [batch, g, steps, channels / g] : [batch, steps, g, channels / g])
            if steps > 1 && g > 1 { t = transpose(t, [0, 2, 1, 3]) }
            var y = reshape(t, v.shape)
            if let gamma { y = y * gamma.value }
            if let beta { y = biasAdd(y, beta.value) }
            return y
        }
    }
}

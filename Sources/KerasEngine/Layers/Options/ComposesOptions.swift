/// A value composing one shared options value (``WeightOptions``, ``RecurrentOptions``,
/// ``ConvOptions``): the shared fields read and write through it, so `config.useBias` is
/// `config.weightOptions.useBias` and each default stays written once, where the shared
/// value declares it. Conformers are `@dynamicMemberLookup` and name their stored
/// options in `composed`.
public protocol ComposesOptions {
    associatedtype Options
    /// Where the composed options are stored (`\.weightOptions`).
    static var composed: WritableKeyPath<Self, Options> { get }
}

extension ComposesOptions {
    public subscript<T>(dynamicMember key: WritableKeyPath<Options, T>) -> T {
        get { self[keyPath: Self.composed.appending(path: key)] }
        set { self[keyPath: Self.composed.appending(path: key)] = newValue }
    }
}

/// Configs composing ``WeightOptions`` as `weightOptions`.
public protocol ComposesWeightOptions: ComposesOptions where Options == WeightOptions {
    var weightOptions: WeightOptions { get set }
}
extension ComposesWeightOptions {
    public static var composed: WritableKeyPath<Self, WeightOptions> { \.weightOptions }
}

/// Configs composing ``ConvOptions`` as `convOptions`.
public protocol ComposesConvOptions: ComposesOptions where Options == ConvOptions {
    var convOptions: ConvOptions { get set }
}
extension ComposesConvOptions {
    public static var composed: WritableKeyPath<Self, ConvOptions> { \.convOptions }
}

/// Configs composing ``RecurrentOptions`` as `recurrentOptions`.
public protocol ComposesRecurrentOptions: ComposesOptions where Options == RecurrentOptions {
    var recurrentOptions: RecurrentOptions { get set }
}
extension ComposesRecurrentOptions {
    public static var composed: WritableKeyPath<Self, RecurrentOptions> { \.recurrentOptions }
}

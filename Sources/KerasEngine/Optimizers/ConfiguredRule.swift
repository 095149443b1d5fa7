/// An update rule configured by a `KerasArgumentConfig` (the catalog builds it from
/// Keras arguments through its `Config`).
public protocol HasKerasConfig {
    associatedtype Config: KerasArgumentConfig
}

/// What every update rule stores: its `Config`, the only place its Keras arguments'
/// defaults are written. A rule subclasses this and adopts `UpdateRule`; the rules whose
/// initializer validates its arguments and throws (SGD, Lion, Ftrl) store their `Config`
/// themselves and adopt `HasKerasConfig`.
public class ConfiguredRule<Config: KerasArgumentConfig>: HasKerasConfig {
    public let config: Config
    public init(_ config: Config = Config()) { self.config = config }
}

/// The arguments of the Adam variants Adamax, Nadam and Lamb: the decay rates of the first
/// and second moment estimates and epsilon, with Keras's defaults (beta_1 0.9, beta_2
/// 0.999, epsilon 1e-7). Adam's own `Config` adds `amsgrad`.
public struct MomentsConfig: KerasArgumentConfig, Equatable, Sendable {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-7
    public init() {}
    public static var fields: [(name: String, field: KerasField<MomentsConfig>)] {
        [("beta_1", .number(\.beta1)), ("beta_2", .number(\.beta2)), ("epsilon", .number(\.epsilon))]
    }
}

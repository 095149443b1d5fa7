/// Keras `ActivityRegularization`: the identity, adding
/// (l1·Σ|y| + l2·Σy²) / batch_size to the loss on every call.
public final class ActivityRegularization: UnaryLayer, LossContributing {
    public var name: String
    public let l1: Float
    public let l2: Float
    public var lossTerms: [Tensor] = []

    public init(l1: Float = 0, l2: Float = 0, name: String = "activity_regularization") {
        self.l1 = l1; self.l2 = l2; self.name = name
    }
    public var parameters: [Parameter] { [] }
    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func callAsFunction(_ x: Tensor, training: Bool) -> Tensor {
        var penalty: Tensor?
        if l1 != 0 { penalty = sum(abs(x)) * l1 }
        if l2 != 0 { let t = sum(square(x)) * l2; penalty = penalty.map { $0 + t } ?? t }
        if let penalty { lossTerms.append(penalty * (1 / Float(Swift.max(x.batchSize, 1)))) }
        return x
    }
}

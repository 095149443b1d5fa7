/// A weight of a layer: a named tensor the optimizer updates (when trainable) and the
/// model saves. Layers read `value` in their forward pass; during a training step the
/// tape makes `value` tracked so the ops built on it are differentiated.
public final class Parameter {
    /// `layer/kernel`; inside a model used as a layer, `outer/layer/kernel` (Keras 3's
    /// variable path), so that every name in a model is unique.
    public internal(set) var name: String
    public var value: Tensor
    public var trainable: Bool
    /// Adds a penalty to the loss (Keras kernel/bias regularizers).
    public var regularizer: (any Regularizer)?
    /// Applied after each optimizer update, `value ← constraint(value)` (Keras's
    /// `*_constraint` arguments: ``MaxNorm``, ``NonNeg``, ...).
    public var constraint: (any Constraint)?

    public init(name: String, value: Tensor, trainable: Bool = true, regularizer: (any Regularizer)? = nil,
                constraint: (any Constraint)? = nil) {
        self.name = name
        self.value = value
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
    }

    /// Applies the constraint, if any (the optimizer calls this after each update).
    public func applyConstraint() {
        if let c = constraint { value = c(value) }
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
}

/// A penalty on a tensor, added to the loss: Keras's L1, L2, L1L2. `penalty` is
/// differentiable (built from ops).
public protocol Regularizer {
    func penalty(_ x: Tensor) -> Tensor
}

extension Regularizer {
    /// A layer's activity-regularization loss term for its output `y`: the penalty divided
    /// by the batch size (Keras's `activity_regularizer`).
    func activityTerm(_ y: Tensor) -> Tensor { penalty(y) * (1 / Float(Swift.max(y.batchSize, 1))) }
}

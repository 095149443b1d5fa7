// Keras's hinge losses. `Hinge` and `SquaredHinge` convert 0/1 labels to -1/1 when every
// target in the batch is 0 or 1 (Keras's `convert_binary_labels_to_hinge`).

/// The targets as hinge labels: `2 * y - 1` when all of them are 0 or 1, else unchanged.
func hingeLabels(_ yTrue: Tensor) -> Tensor {
    let p = yTrue.pointer
    for i in 0..<yTrue.count where p[i] != 0 && p[i] != 1 { return yTrue }
    let out = Tensor(uninitializedShape: yTrue.shape)
    let po = out.freshPointer
    for i in 0..<yTrue.count { po[i] = 2 * p[i] - 1 }
    return out
}

/// Keras `Hinge`: `mean(max(1 - y_true * y_pred, 0), axis=-1)`, labels in {-1, 1} (0/1 are converted).
public struct Hinge: RowwiseLoss {
    public var name: String
    public init(name: String = "hinge") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(hingeLabels(yTrue), yPred, gradient: gradient, meanKernel { t, p in
            let m = 1 - t * p
            return m >= 0 ? (m, -t) : (0, 0)
        })
    }
}

/// Keras `SquaredHinge`: `mean(max(1 - y_true * y_pred, 0)^2, axis=-1)`, labels in {-1, 1} (0/1 are converted).
public struct SquaredHinge: RowwiseLoss {
    public var name: String
    public init(name: String = "squared_hinge") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(hingeLabels(yTrue), yPred, gradient: gradient, meanKernel { t, p in
            let m = Swift.max(1 - t * p, 0)
            return (m * m, -2 * m * t)
        })
    }
}

/// Keras `CategoricalHinge`: with `pos = sum(y_true * y_pred)` and
/// `neg = max((1 - y_true) * y_pred)` over the last axis, `max(neg - pos + 1, 0)`.
public struct CategoricalHinge: RowwiseLoss {
    public var name: String
    public init(name: String = "categorical_hinge") { self.name = name }
    public func rowLosses(_ yTrue: Tensor, _ yPred: Tensor, gradient: Bool) -> (values: Tensor, gradient: Tensor?) {
        mapRows(yTrue, yPred, gradient: gradient) { t, p, g, n in
            var pos: Float = 0, neg = -Float.infinity, arg = 0
            for j in 0..<n {
                pos += t[j] * p[j]
                let v = (1 - t[j]) * p[j]
                if v > neg { neg = v; arg = j }
            }
            let m = neg - pos + 1
            if let g {
                for j in 0..<n { g[j] = m >= 0 ? (j == arg ? 1 - t[j] : 0) - t[j] : 0 }
            }
            return Swift.max(m, 0)
        }
    }
}

/// Keras `RootMeanSquaredError`: `sqrt(mean over samples of mean((y_pred - y_true)^2))`,
/// the root taken of the running mean (not a mean of per-batch roots).
public final class RootMeanSquaredError: Metric {
    public let name: String
    private var mean = SampleMean()
    public var state: [Double] { get { mean.state } set { mean.state = newValue } }
    public init(name: String = "root_mean_squared_error") { self.name = name }
    public func reset() { mean.reset() }
    public func update(yTrue: Tensor, yPred: Tensor) {
        let pt = yTrue.pointer, pp = yPred.pointer
        var s = 0.0
        for i in 0..<Swift.min(yTrue.count, yPred.count) { let d = Double(pp[i] - pt[i]); s += d * d }
        mean.add(sum: s, shape: yPred.shape)
    }
    public func result() -> Double { mean.result.squareRoot() }
}

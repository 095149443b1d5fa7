/// Per-feature mean and variance of a data set, as Keras's `Normalization` layer adapts them.
///
/// The variance is the population variance; the output is
/// `(x - mean) / max(sqrt(variance), 1e-7)` (Keras 3: `ops.maximum(ops.sqrt(variance),
/// backend.epsilon())`). Statistics are accumulated in Double, two passes, one example at a
/// time, so byte data is never converted as a whole.
public struct Standardizer: Codable, Equatable, Sendable {
    /// Which elements share one mean and variance.
    public enum Axis: String, Codable, Sendable {
        /// Every element of the example is its own feature (a flattened example); as
        /// scikit-learn's `StandardScaler`, or Keras's `Normalization(axis=-1)` on flat input.
        case element
        /// One feature per index of the last axis (channels), as Keras's default
        /// `Normalization(axis=-1)` on images.
        case lastAxis
    }

    /// Keras's `backend.epsilon()`: the smallest standard deviation divided by.
    public static let epsilon: Float = 1e-7

    /// Per-feature means.
    public var mean: [Float]
    /// Per-feature population variances.
    public var variance: [Float]

    /// Per-feature divisors, `max(sqrt(variance), epsilon)`.
    public var std: [Float] { variance.map { max($0.squareRoot(), Standardizer.epsilon) } }

    public init(mean: [Float], variance: [Float]) {
        self.mean = mean
        self.variance = variance
    }

    /// Computes the statistics of `data`, after multiplying by `rescale` if given (so
    /// `rescale` then `standardize` behaves as Keras's `Rescaling` then `Normalization`).
    public static func fit(_ data: DataArray, rescale: Float? = nil, axis: Axis = .element) throws -> Standardizer {
        let size = data.exampleSize
        let features = axis == .element ? size : (data.exampleShape.last ?? 1)
        if data.count == 0 || size == 0 {
            throw DataError(file: "", "cannot standardize: the training data has no values")
        }
        var row = [Float](repeating: 0, count: size)
        var sum = [Double](repeating: 0, count: features)
        var squares = [Double](repeating: 0, count: features)
        let perFeature = Double(data.count * (size / features))
        for pass in 0..<2 {
            let mean = sum.map { $0 / perFeature }
            row.withUnsafeMutableBufferPointer { r in
                guard let p = r.baseAddress else { return }
                for i in 0..<data.count {
                    data.gather(i..<(i + 1), into: p)
                    var f = 0
                    for e in 0..<size {
                        var v = p[e]
                        if let rescale { v *= rescale }
                        if pass == 0 {
                            sum[f] += Double(v)
                        } else {
                            let d = Double(v) - mean[f]
                            squares[f] += d * d
                        }
                        f += 1
                        if f == features { f = 0 }
                    }
                }
            }
        }
        return Standardizer(mean: sum.map { Float($0 / perFeature) }, variance: squares.map { Float($0 / perFeature) })
    }
}

/// The preprocessing state kept with a trained model and applied to every batch:
/// `x * rescale`, then `(x - mean) / std`, then the model sees examples of shape `reshape`.
///
/// `mean`/`std` have one value per feature; feature `j` of an example is element `e` with
/// `e % mean.count == j`, which covers both per-element and per-channel (last axis)
/// statistics. `classNames` maps a target's name to its class names, so predictions print
/// the original names.
public struct Preprocessing: Codable, Equatable, Sendable {
    public var rescale: Float?
    public var mean: [Float]?
    public var std: [Float]?
    public var reshape: [Int]?
    /// The feature column names seen in training (CSV), to check prediction input.
    public var featureNames: [String]?
    /// Class names per target name, for targets read from a string column.
    public var classNames: [String: [String]]?
    /// The adapted FeatureSpace of a model trained on a CSV table with `feature_space`:
    /// raw rows go through it (`predict`, `evaluate`).
    public var featureSpace: FeatureSpace?

    public init(rescale: Float? = nil, mean: [Float]? = nil, std: [Float]? = nil, reshape: [Int]? = nil,
                featureNames: [String]? = nil, classNames: [String: [String]]? = nil) {
        self.rescale = rescale
        self.mean = mean
        self.std = std
        self.reshape = reshape
        self.featureNames = featureNames
        self.classNames = classNames
    }

    /// Sets `mean` and `std` from a fitted standardizer.
    public mutating func standardize(with standardizer: Standardizer) {
        mean = standardizer.mean
        std = standardizer.std
    }

    /// Checks this state fits examples of `exampleSize` elements: `mean` and `std` agree and
    /// divide it, and `reshape` has the same element count. Errors name `file`.
    public func validate(exampleSize: Int, file: String = "") throws {
        if let rescale, !rescale.isFinite || rescale == 0 {
            throw DataError(file: file, "rescale must be a finite, non-zero number, got \(rescale)")
        }
        if (mean == nil) != (std == nil) || (mean?.count ?? 0) != (std?.count ?? 0) {
            throw DataError(file: file, "standardization needs as many means as standard deviations, got \(mean?.count ?? 0) and \(std?.count ?? 0)")
        }
        if let mean, mean.isEmpty || exampleSize % mean.count != 0 {
            throw DataError(file: file, "standardization has \(mean.count) features, which does not divide the example size \(exampleSize)")
        }
        if let std, std.contains(where: { !($0 > 0) || !$0.isFinite }) {
            throw DataError(file: file, "standardization has a standard deviation that is not a positive finite number")
        }
        if let reshape {
            var size = 1
            for d in reshape {
                let (p, overflow) = size.multipliedReportingOverflow(by: d)
                if d <= 0 || overflow { throw DataError(file: file, "reshape \(reshape): every size must be a positive integer") }
                size = p
            }
            if size != exampleSize {
                throw DataError(file: file, "reshape \(reshape) has \(size) values, but each example has \(exampleSize)")
            }
        }
    }

    /// Whether ``apply(to:count:exampleSize:)`` changes anything.
    public var isIdentity: Bool { rescale == nil && mean == nil }

    /// Rescales then standardizes `count` examples of `exampleSize` floats in place, in one
    /// pass. Call ``validate(exampleSize:file:)`` once first.
    public func apply(to buffer: UnsafeMutablePointer<Float>, count examples: Int, exampleSize: Int) {
        let total = examples * exampleSize
        let scale = rescale ?? 1
        guard let mean, let std, !mean.isEmpty else {
            if rescale != nil { for i in 0..<total { buffer[i] *= scale } }
            return
        }
        precondition(mean.count == std.count && exampleSize % mean.count == 0, "Preprocessing not validated for this example size")
        mean.withUnsafeBufferPointer { m in
            std.withUnsafeBufferPointer { s in
                let features = m.count
                var p = buffer
                for _ in 0..<(total / features) {
                    for j in 0..<features { p[j] = (p[j] * scale - m[j]) / s[j] }
                    p += features
                }
            }
        }
    }
}

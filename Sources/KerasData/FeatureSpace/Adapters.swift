/// Keras `Discretization.adapt`: an approximate quantile summary (value, weight) updated
/// batch by batch (`summarize`, `merge_summaries`, `compress_summary` with `epsilon`
/// 0.01), whose `1/num_bins` quantiles are the bin boundaries. Values and weights are
/// Float32 and the interpolation Double, as in Keras's NumPy code, so the boundaries are
/// Keras's bit for bit on the same batches.
public struct QuantileSummary: Sendable {
    var values: [Float] = []
    var weights: [Float] = []
    let epsilon: Double

    public init(epsilon: Double = 0.01) { self.epsilon = epsilon }

    /// `update_state` with one batch.
    public mutating func update(_ batch: [Float]) {
        let sorted = batch.sorted()
        let n = sorted.count
        let increment = Double(n) / (1.0 / epsilon)
        let step = max(increment, 1)
        let start = Int(step - 1), stride = Int(step)
        var newValues: [Float] = []
        var i = start
        while i < n { newValues.append(sorted[i]); i += stride }
        // merge_summaries(new, previous): concatenated, ordered by value.
        let merged = (Array(zip(newValues, Array(repeating: Float(step), count: newValues.count))) + Array(zip(values, weights)))
            .enumerated().sorted { $0.element.0 != $1.element.0 ? $0.element.0 < $1.element.0 : $0.offset < $1.offset }
            .map(\.element)
        (values, weights) = QuantileSummary.compress(merged.map(\.0), merged.map(\.1), epsilon: epsilon)
    }

    /// `get_bin_boundaries`: the summary compressed to `numBins` quantiles, last dropped.
    public func boundaries(numBins: Int) -> [Float] {
        Array(QuantileSummary.compress(values, weights, epsilon: 1.0 / Double(numBins)).0.dropLast())
    }

    static func compress(_ values: [Float], _ weights: [Float], epsilon: Double) -> ([Float], [Float]) {
        if Double(values.count) * epsilon < 1 { return (values, weights) }
        let count = Int((1.0 / epsilon).rounded(.up))
        let percents = (0..<count).map { epsilon + Double($0) * epsilon }
        var cum = [Float](repeating: 0, count: weights.count)
        var total: Float = 0
        for (i, w) in weights.enumerated() { total += w; cum[i] = total }
        let cumPercent = cum.map { Double($0 / total) }
        let bins = interp(percents, cumPercent, values.map(Double.init))
        let cumNew = interp(percents, cumPercent, cum.map(Double.init))
        var newWeights = [Float](repeating: 0, count: count)
        for i in 0..<count { newWeights[i] = Float(cumNew[i] - (i == 0 ? 0 : cumNew[i - 1])) }
        return (bins.map(Float.init), newWeights)
    }

    /// NumPy's `np.interp` for increasing `xp`.
    static func interp(_ x: [Double], _ xp: [Double], _ fp: [Double]) -> [Double] {
        guard let first = xp.first, let last = xp.last else { return x.map { _ in 0 } }
        return x.map { v in
            if v <= first { return fp[0] }
            if v >= last { return fp[fp.count - 1] }
            var lo = 0, hi = xp.count - 1
            while hi - lo > 1 { let mid = (lo + hi) / 2; if xp[mid] <= v { lo = mid } else { hi = mid } }
            if v == xp[lo] { return fp[lo] }
            let slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo])
            return slope * (v - xp[lo]) + fp[lo]
        }
    }

    /// Keras `Discretization.call` (`np.digitize`, right=False): the number of boundaries
    /// `<= value`.
    public static func bin(_ value: Float, boundaries: [Float]) -> Int {
        var lo = 0, hi = boundaries.count
        while lo < hi { let mid = (lo + hi) / 2; if boundaries[mid] <= value { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}

/// Keras `Normalization.adapt` on a batched dataset: each batch's mean and population
/// variance merged into the running ones, weighted by counts.
public struct RunningMoments: Sendable {
    public private(set) var mean: Double = 0
    public private(set) var variance: Double = 0
    private var count = 0

    public init() {}

    public mutating func update(_ batch: [Float]) {
        guard !batch.isEmpty else { return }
        let n = Double(batch.count)
        let bm = batch.reduce(0.0) { $0 + Double($1) } / n
        let bv = batch.reduce(0.0) { $0 + (Double($1) - bm) * (Double($1) - bm) } / n
        count += batch.count
        let w = n / Double(count), keep = 1 - w
        let newMean = mean * keep + bm * w
        variance = (variance + (mean - newMean) * (mean - newMean)) * keep + (bv + (bm - newMean) * (bm - newMean)) * w
        mean = newMean
    }
}

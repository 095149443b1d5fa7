#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Keras's confusion-matrix metrics (keras/src/metrics/confusion_metrics.py and
// metrics_utils.update_confusion_matrix_variables) for a single threshold, without
// sample weights. Every element is one decision (multi-label: all labels pooled): the
// target is positive when non-zero, the prediction when `y_pred > threshold`.

/// Visits (target is positive, prediction value) for every decision, after Keras's
/// `class_id` slicing and `top_k` filtering (values outside a row's top k become -inf).
func forEachDecision(_ yTrue: Tensor, _ yPred: Tensor, classId: Int?, topK: Int?, _ body: (Bool, Float) -> Void) {
    let c = Swift.max(yPred.shape.last ?? 1, 1), rows = yPred.count / c
    let pt = yTrue.pointer, pp = yPred.pointer
    let n = Swift.min(yTrue.count, yPred.count)
    if classId == nil && topK == nil {
        for i in 0..<n { body(pt[i] != 0, pp[i]) }
        return
    }
    for r in 0..<rows {
        let row = pp + r * c
        func filtered(_ j: Int) -> Float {
            guard let k = topK else { return row[j] }
            // Rank of j: values strictly above, plus equal values at lower indices (top_k order).
            var rank = 0
            for i in 0..<c where row[i] > row[j] || (row[i] == row[j] && i < j) { rank += 1 }
            return rank < k ? row[j] : -Float.infinity
        }
        if let cid = classId {
            guard cid >= 0 && cid < c, r * c + cid < n else { continue }
            body(pt[r * c + cid] != 0, filtered(cid))
        } else {
            for j in 0..<c where r * c + j < n { body(pt[r * c + j] != 0, filtered(j)) }
        }
    }
}

/// Keras `Precision(thresholds=0.5)`: `tp / (tp + fp)` (0 when nothing was predicted positive).
/// With `topK` and no threshold, Keras's default threshold is -inf (every top-k value counts).
public final class Precision: Metric {
    public let name: String
    public let threshold: Float
    public let topK: Int?
    public let classId: Int?
    private var tp = 0.0, fp = 0.0
    public init(thresholds: Float? = nil, topK: Int? = nil, classId: Int? = nil, name: String = "precision") {
        self.threshold = thresholds ?? (topK == nil ? 0.5 : -Float.infinity)
        self.topK = topK; self.classId = classId; self.name = name
    }
    public func reset() { tp = 0; fp = 0 }
    public func update(yTrue: Tensor, yPred: Tensor) {
        forEachDecision(yTrue, yPred, classId: classId, topK: topK) { label, p in
            if p > threshold { if label { tp += 1 } else { fp += 1 } }
        }
    }
    public func result() -> Double { tp + fp > 0 ? tp / (tp + fp) : 0 }
    public var state: [Double] { get { [tp, fp] } set { tp = newValue[0]; fp = newValue[1] } }
}

/// Keras `Recall(thresholds=0.5)`: `tp / (tp + fn)` (0 when there were no positive targets).
public final class Recall: Metric {
    public let name: String
    public let threshold: Float
    public let topK: Int?
    public let classId: Int?
    private var tp = 0.0, fn = 0.0
    public init(thresholds: Float? = nil, topK: Int? = nil, classId: Int? = nil, name: String = "recall") {
        self.threshold = thresholds ?? (topK == nil ? 0.5 : -Float.infinity)
        self.topK = topK; self.classId = classId; self.name = name
    }
    public func reset() { tp = 0; fn = 0 }
    public func update(yTrue: Tensor, yPred: Tensor) {
        forEachDecision(yTrue, yPred, classId: classId, topK: topK) { label, p in
            if label { if p > threshold { tp += 1 } else { fn += 1 } }
        }
    }
    public func result() -> Double { tp + fn > 0 ? tp / (tp + fn) : 0 }
    public var state: [Double] { get { [tp, fn] } set { tp = newValue[0]; fn = newValue[1] } }
}

/// Keras `AUC(num_thresholds=200, curve="ROC", summation_method="interpolation")`, single-label
/// (all decisions pooled), predictions taken as probabilities (or `fromLogits`: sigmoid first).
///
/// Thresholds are `{-eps, 1/(N-1), ..., (N-2)/(N-1), 1+eps}`; as Keras's evenly-spaced fast
/// path, a prediction clipped to [0, 1] lands in bucket `max(ceil(p (N-1)) - 1, 0)` and counts
/// as positive for every threshold up to it. ROC: Riemann sum of recall over false-positive
/// rate; PR with interpolation: Davis & Goadrich's formula, as Keras.
public final class AUC: Metric {
    public enum Curve: String, Sendable { case roc = "ROC", pr = "PR" }
    public enum SummationMethod: String, Sendable { case interpolation, minoring, majoring }
    public let name: String
    public let numThresholds: Int
    public let curve: Curve
    public let summationMethod: SummationMethod
    public let fromLogits: Bool
    private var posBuckets: [Double], negBuckets: [Double]

    public init(numThresholds: Int = 200, curve: Curve = .roc, summationMethod: SummationMethod = .interpolation,
                fromLogits: Bool = false, name: String = "auc") {
        self.numThresholds = Swift.max(numThresholds, 2)
        self.curve = curve; self.summationMethod = summationMethod; self.fromLogits = fromLogits; self.name = name
        posBuckets = [Double](repeating: 0, count: self.numThresholds)
        negBuckets = posBuckets
    }

    public func reset() {
        for i in posBuckets.indices { posBuckets[i] = 0; negBuckets[i] = 0 }
    }

    /// The positive then the negative bucket counts (see `Metric.state`).
    public var state: [Double] {
        get { posBuckets + negBuckets }
        set { posBuckets = Array(newValue[..<numThresholds]); negBuckets = Array(newValue[numThresholds...]) }
    }

    public func update(yTrue: Tensor, yPred: Tensor) {
        let scale = Float(numThresholds - 1), fromLogits = fromLogits, last = numThresholds - 1
        forEachDecision(yTrue, yPred, classId: nil, topK: nil) { label, v in
            let p = Swift.min(Swift.max(fromLogits ? sigmoidf(v) : v, 0), 1)
            let b = Swift.min(Swift.max(Int((p * scale).rounded(.up)) - 1, 0), last)
            if label { posBuckets[b] += 1 } else { negBuckets[b] += 1 }
        }
    }

    public func result() -> Double {
        let n = numThresholds
        // Confusion counts per threshold: positives at threshold i are the buckets >= i.
        var tp = [Double](repeating: 0, count: n), fp = tp
        var accP = 0.0, accN = 0.0
        for i in stride(from: n - 1, through: 0, by: -1) { accP += posBuckets[i]; accN += negBuckets[i]; tp[i] = accP; fp[i] = accN }
        let totalP = accP, totalN = accN
        func div(_ a: Double, _ b: Double) -> Double { b != 0 ? a / b : 0 }
        if curve == .pr && summationMethod == .interpolation {
            var auc = 0.0
            for i in 0..<(n - 1) {
                let dtp = tp[i] - tp[i + 1]
                let p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1]
                let slope = div(dtp, Swift.max(p0 - p1, 0))
                let intercept = tp[i + 1] - slope * p1
                let ratio = (p0 > 0 && p1 > 0) ? div(p0, Swift.max(p1, 0)) : 1
                auc += div(slope * (dtp + intercept * lnDouble(ratio)), Swift.max(tp[i + 1] + (totalP - tp[i + 1]), 0))
            }
            return auc
        }
        var x = [Double](repeating: 0, count: n), y = x
        for i in 0..<n {
            let recall = div(tp[i], totalP)
            if curve == .roc { x[i] = div(fp[i], totalN); y[i] = recall } else { x[i] = recall; y[i] = div(tp[i], tp[i] + fp[i]) }
        }
        var auc = 0.0
        for i in 0..<(n - 1) {
            let h: Double
            switch summationMethod {
            case .interpolation: h = (y[i] + y[i + 1]) / 2
            case .minoring: h = Swift.min(y[i], y[i + 1])
            case .majoring: h = Swift.max(y[i], y[i + 1])
            }
            auc += (x[i] - x[i + 1]) * h
        }
        return auc
    }
}

@inline(__always) private func lnDouble(_ x: Double) -> Double { log(x) }

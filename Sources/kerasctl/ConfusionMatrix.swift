import KerasEngine

/// `evaluate --confusion-matrix`: scikit-learn's `confusion_matrix(y_true, y_pred)` for a
/// classifier's output — `counts[i][j]` is the number of examples of true class i predicted
/// as class j, the prediction being the argmax over the last axis (categorical
/// crossentropy losses) or `p > 0.5` (binary crossentropy, one unit). Labels are class
/// indices or one-hot rows; an output with classes at several positions (per time step)
/// counts each position.
struct ConfusionMatrix: Equatable {
    var counts: [[Int]]
    var names: [String]

    /// Fashion-MNIST's classes, as Keras documents `keras.datasets.fashion_mnist`'s labels.
    static let fashionMNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The matrix holds classes² counts: bounded.
    static let maxClasses = 1000

    /// How many classes `kind`'s output of shape `outputShape` (batch excluded) holds: its
    /// last axis (categorical), or 2 for one sigmoid unit; checked before any work.
    static func classCount(_ kind: OutputKind, outputShape: [Int]) throws -> Int {
        let classes: Int
        switch kind {
        case .categorical: classes = Swift.max(1, outputShape.last ?? 1)
        case .binary:
            let units = outputShape.reduce(1, *)
            guard units == 1 else { throw Failure.usage("--confusion-matrix needs one class per example; this binary output has \(units) units (multi-label)") }
            classes = 2
        case .values: throw Failure.usage("--confusion-matrix needs a classifier (a categorical or binary crossentropy loss); this model is not one")
        }
        guard classes <= maxClasses else { throw Failure.usage("--confusion-matrix counts at most \(maxClasses) classes; this output has \(classes)") }
        return classes
    }

    /// Runs the model over `data` in batches and counts, for `classes` classes.
    static func compute(_ net: Model, _ data: Dataset, kind: OutputKind, classes: Int, batchSize: Int, labelFile: String) throws -> [[Int]] {
        guard let target = data.targets.first else { throw Failure.usage("--confusion-matrix needs labels") }
        var counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        for lo in stride(from: 0, to: data.count, by: batchSize) {
            let rows = Array(lo..<Swift.min(data.count, lo + batchSize))
            let (xs, y) = rows.withUnsafeBufferPointer { r in (data.inputs.map { $0.batch(r) }, target.batch(r)) }
            guard let out = net.predict(xs).first else { break }
            try add(out, labels: y, kind: kind, into: &counts, labelFile: labelFile)
        }
        return counts
    }

    /// Adds one batch: `out` the model's output, `labels` the batch's targets.
    static func add(_ out: Tensor, labels: Tensor, kind: OutputKind, into counts: inout [[Int]], labelFile: String) throws {
        let n = out.batchSize, values = out.scalars, truth = labels.scalars, classes = counts.count
        guard n > 0, classes > 0 else { return }
        let predicted: [Int]
        switch kind {
        case .categorical: predicted = argmaxes(values, classes)
        case let .binary(fromLogits): predicted = values.map { (fromLogits ? $0 > 0 : $0 > 0.5) ? 1 : 0 }
        case .values: return
        }
        let positions = predicted.count
        let actual: [Int]
        if truth.count == positions {
            actual = try truth.map { v in
                guard v.isFinite, v >= 0, v < Float(classes), v == v.rounded() else {
                    throw Failure.data("\(labelFile): label \(v) is not a class index in 0..<\(classes)")
                }
                return Int(v)
            }
        } else if truth.count == positions * classes {
            actual = argmaxes(truth, classes)
        } else {
            throw Failure.data("\(labelFile): \(truth.count / n) label values per example, but the output has \(positions / n) predictions of \(classes) classes")
        }
        for (t, p) in zip(actual, predicted) { counts[t][p] += 1 }
    }

    /// The class of each group of `classes` values (a one-hot row, a probability row).
    private static func argmaxes(_ values: [Float], _ classes: Int) -> [Int] {
        stride(from: 0, to: values.count - classes + 1, by: classes).map { PredictionFormat.argmax(Array(values[$0..<($0 + classes)])) }
    }

    /// The matrix as a text table: a header of predicted classes, one row per true class.
    func table() -> String {
        let labels = names.map { String($0.prefix(24)) }
        let rowWidth = Swift.max("true \\ predicted".count, labels.map(\.count).max() ?? 0)
        let cellWidth = Swift.max(labels.map(\.count).max() ?? 1, String(counts.joined().max() ?? 0).count)
        func pad(_ s: String, _ w: Int, right: Bool = true) -> String {
            let fill = String(repeating: " ", count: Swift.max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        var lines = [pad("true \\ predicted", rowWidth, right: false) + labels.map { "  " + pad($0, cellWidth) }.joined()]
        for (i, row) in counts.enumerated() {
            lines.append(pad(labels[i], rowWidth, right: false) + row.map { "  " + pad(String($0), cellWidth) }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

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

    /// Runs the model over `data` in batches and counts.
    static func compute(_ net: Model, _ data: Dataset, kind: OutputKind, batchSize: Int, labelFile: String) throws -> ConfusionMatrix {
        guard let target = data.targets.first else { throw Failure.usage("--confusion-matrix needs labels") }
        var counts: [[Int]] = []
        for lo in stride(from: 0, to: data.count, by: batchSize) {
            let rows = Array(lo..<Swift.min(data.count, lo + batchSize))
            let (xs, y) = rows.withUnsafeBufferPointer { r in (data.inputs.map { $0.batch(r) }, target.batch(r)) }
            guard let out = net.predict(xs).first else { break }
            try add(out, labels: y, kind: kind, into: &counts, labelFile: labelFile)
        }
        return ConfusionMatrix(counts: counts, names: counts.indices.map(String.init))
    }

    /// Adds one batch: `out` the model's output, `labels` the batch's targets.
    static func add(_ out: Tensor, labels: Tensor, kind: OutputKind, into counts: inout [[Int]], labelFile: String) throws {
        let n = out.batchSize, values = out.scalars, truth = labels.scalars
        guard n > 0 else { return }
        let perExample = values.count / n
        let classes: Int, predicted: [Int]
        switch kind {
        case .categorical:
            classes = Swift.max(1, out.shape.count > 1 ? out.shape.last! : 1)
            predicted = argmaxes(values, classes)
        case let .binary(fromLogits):
            guard perExample == 1 else {
                throw Failure.usage("--confusion-matrix needs one class per example; this binary output has \(perExample) units (multi-label)")
            }
            classes = 2
            predicted = values.map { (fromLogits ? $0 > 0 : $0 > 0.5) ? 1 : 0 }
        case .values:
            throw Failure.usage("--confusion-matrix needs a classifier")
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
        guard classes <= maxClasses else { throw Failure.usage("--confusion-matrix draws at most \(maxClasses) classes; this output has \(classes)") }
        if counts.isEmpty { counts = Array(repeating: Array(repeating: 0, count: classes), count: classes) }
        guard counts.count == classes else { return }
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

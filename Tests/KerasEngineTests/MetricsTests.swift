import XCTest
@testable import KerasEngine

final class MetricsTests: XCTestCase {
    /// The metric a fixture case describes (Keras class name + kwargs), built with its default name.
    static func makeMetric(_ cls: String, _ kw: [String: Any]) -> (any Metric)? {
        func f(_ k: String) -> Float? { (kw[k] as? Double).map(Float.init) }
        switch cls {
        case "Accuracy": return Accuracy()  // the string "Accuracy" resolves by shapes, as in Keras
        case "BinaryAccuracy": return BinaryAccuracy(threshold: f("threshold") ?? 0.5)
        case "TopKCategoricalAccuracy": return TopKCategoricalAccuracy(k: kw["k"] as? Int ?? 5)
        case "SparseTopKCategoricalAccuracy": return SparseTopKCategoricalAccuracy(k: kw["k"] as? Int ?? 5)
        case "Precision": return Precision(thresholds: f("thresholds"), topK: kw["top_k"] as? Int, classId: kw["class_id"] as? Int)
        case "Recall": return Recall(thresholds: f("thresholds"), topK: kw["top_k"] as? Int, classId: kw["class_id"] as? Int)
        case "AUC":
            return AUC(numThresholds: kw["num_thresholds"] as? Int ?? 200, curve: AUC.Curve(rawValue: kw["curve"] as? String ?? "ROC")!,
                       summationMethod: AUC.SummationMethod(rawValue: kw["summation_method"] as? String ?? "interpolation")!)
        default:
            precondition(kw.isEmpty, "\(cls) kwargs \(kw) not mapped")
            return try? CompileResolution.metric(cls, targetShape: [1], outputShape: [1])
        }
    }

    func testMetricsMatchKeras() throws {
        var ran = 0
        for c in try KerasReference.cases("metrics") {
            let name = c["name"] as! String, cls = c["class"] as! String
            guard let m = Self.makeMetric(cls, c["kwargs"] as? [String: Any] ?? [:]) else { XCTFail("no metric for \(name)"); continue }
            let ts = (c["y_true"] as! [Any]).map { KerasReference.tensor($0)! }
            let ps = (c["y_pred"] as! [Any]).map { KerasReference.tensor($0)! }
            for _ in 0..<2 {  // reset() really resets
                m.reset()
                for (t, p) in zip(ts, ps) { m.update(yTrue: t, yPred: p) }
                XCTAssertEqual(m.result(), c["result"] as! Double, accuracy: 2e-6 * Swift.max(1, Swift.abs(c["result"] as! Double)), name)
            }
            ran += 1
        }
        XCTAssertEqual(ran, 38)
    }

    func testAccuracyResolutionMatchesKeras() throws {
        let url = Bundle.module.url(forResource: "Fixtures/keras_reference/metrics", withExtension: "json")!
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let rows = root["resolution"] as! [[String: Any]]
        for r in rows {
            let id = r["identifier"] as! String
            // Keras builds on batches; our shapes exclude the batch axis.
            let t = Array((r["y_true_shape"] as! [Int]).dropFirst()), p = Array((r["y_pred_shape"] as! [Int]).dropFirst())
            let m = try CompileResolution.metric(id, targetShape: t, outputShape: p)
            let cls = r["class"] as! String
            XCTAssertEqual(m.name, r["name"] as! String, id)
            let got = m is LossMetric ? (cls == "MeanSquaredError" ? "MeanSquaredError" : "LossMetric") : "\(type(of: m))"
            XCTAssertEqual(got, cls, "\(id) \(t) \(p)")
        }
        XCTAssertEqual(rows.count, 12)
    }

    func testDefaultNamesAndUnknownMetric() {
        let metrics: [(any Metric, String)] = [
            (Accuracy(), "accuracy"), (BinaryAccuracy(), "binary_accuracy"), (CategoricalAccuracy(), "categorical_accuracy"),
            (SparseCategoricalAccuracy(), "sparse_categorical_accuracy"), (TopKCategoricalAccuracy(), "top_k_categorical_accuracy"),
            (SparseTopKCategoricalAccuracy(), "sparse_top_k_categorical_accuracy"), (Metrics.meanSquaredError(), "mean_squared_error"),
            (Metrics.meanAbsoluteError(), "mean_absolute_error"), (RootMeanSquaredError(), "root_mean_squared_error"),
            (Precision(), "precision"), (Recall(), "recall"), (AUC(), "auc"), (Metrics.logCoshError(), "logcosh"),
        ]
        for (m, n) in metrics { XCTAssertEqual(m.name, n) }
        XCTAssertThrowsError(try CompileResolution.metric("accuracyy", targetShape: [1], outputShape: [1])) { e in
            XCTAssertTrue("\(e)".contains("'accuracyy'") && "\(e)".contains("binary_accuracy"), "\(e)")
        }
        XCTAssertEqual(CompileResolution.logKey("accuracy", outputName: "probs", outputCount: 2, validation: true), "val_probs_accuracy")
        XCTAssertEqual(CompileResolution.logKey("accuracy", outputName: "probs", outputCount: 1), "accuracy")
    }

    func testEveryStringIdentifierBuilds() {
        for id in CompileResolution.metricIdentifiers {
            XCTAssertEqual((try? CompileResolution.metric(id, targetShape: [3], outputShape: [3]))?.name, id)
        }
        XCTAssertGreaterThan(CompileResolution.metricIdentifiers.count, 48)
    }

    func testHandComputedStreamingAcrossUnequalBatches() {
        // Sample-weighted mean: batch 1 has 3 hits of 4, batch 2 has 0 of 1 -> 3/5, not (0.75 + 0) / 2.
        let m = SparseCategoricalAccuracy()
        m.update(yTrue: Tensor(shape: [4], data: [0, 1, 1, 0]), yPred: Tensor(shape: [4, 2], data: [0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6]))
        m.update(yTrue: Tensor(shape: [1], data: [1]), yPred: Tensor(shape: [1, 2], data: [0.6, 0.4]))
        XCTAssertEqual(m.result(), 0.6, accuracy: 1e-12)
        let rmse = RootMeanSquaredError()
        rmse.update(yTrue: Tensor(shape: [2, 1], data: [0, 0]), yPred: Tensor(shape: [2, 1], data: [1, 3]))
        XCTAssertEqual(rmse.result(), 5.0.squareRoot(), accuracy: 1e-12)
        // NaN class labels never trap.
        let top = SparseTopKCategoricalAccuracy(k: 1)
        top.update(yTrue: Tensor(shape: [1], data: [.nan]), yPred: Tensor(shape: [1, 2], data: [0.6, 0.4]))
        XCTAssertEqual(top.result(), 0)
    }
}

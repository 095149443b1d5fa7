import Foundation
import XCTest

/// The recurrent specs run end to end through `kerasctl`, and bad recurrent arguments stop
/// with one located line and exit 2.
final class RecurrentCLITests: TempDirTestCase {

    /// Trains `spec` with `extra` flags; returns the exit result and the last --metrics-out line.
    func train(_ spec: String, _ extra: [String] = []) throws -> (CLI.Result, [String: Any]) {
        let metrics = dir.appendingPathComponent("m.jsonl").path
        let r = try CLI.run(["train", spec, "--quiet", "--metrics-out", metrics] + extra)
        let lines = (try? String(contentsOfFile: metrics, encoding: .utf8))?.split(separator: "\n") ?? []
        let last = lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        return (r, last)
    }

    /// Embedding(mask_zero) → GRU on the negation-sentiment sequences: well above the 0.63
    /// a bag of words gets (the debug build trains 3 epochs only, to stay quick).
    func testSeqEmbeddingTrains() throws {
        let (r, last) = try train("specs/seq_embedding.yaml", CLI.isRelease ? [] : ["--epochs", "3"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let accuracy = try XCTUnwrap(last["test_accuracy"] as? Double, "\(last)")
        XCTAssertGreaterThan(accuracy, CLI.isRelease ? 0.95 : 0.6)
    }

    /// GRU → Dense(1) on sunspot windows beats "next year = this year" (test MAE 0.25).
    func testTimeseriesGRUTrains() throws {
        let (r, last) = try train("specs/timeseries_gru.yaml")
        XCTAssertEqual(r.code, 0, r.stderr)
        let mae = try XCTUnwrap(last["test_mae"] as? Double, "\(last)")
        XCTAssertLessThan(mae, 0.25)
        XCTAssertLessThan(try XCTUnwrap(last["test_loss"] as? Double), 0.08)
    }

    func testSummaryOfTheBenchLSTMIsKeras() throws {
        let r = try CLI.run(["summary", "specs/bench_lstm.yaml"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("│ lstm (LSTM)                     │ (None, 128)            │        80,384 │"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Total params: 81,674 (319.04 KB)"), r.stdout)
    }

    func testBadRecurrentArgumentIsLocatedExit2() throws {
        let data = CLI.root.appendingPathComponent("datasets/negation_train.csv").path
        let spec = dir.appendingPathComponent("bad.yaml")
        try """
        data:
          train: {format: csv, path: \(data), target: sentiment}
        model:
          input_shape: [24]
          layers:
            - Embedding: {input_dim: 32, output_dim: 8, mask_zero: true}
            - GRU: {units: 8, go_backward: true}
            - Dense: {units: 2, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy}
        """.write(to: spec, atomically: true, encoding: .utf8)
        CLI.assertFails(try CLI.run(["train", spec.path]), code: 2,
                        contains: "bad.yaml:7:23: model.layers[1] (GRU): unknown argument 'go_backward' for GRU; did you mean 'go_backwards'?")

        let wrapped = dir.appendingPathComponent("wrapped.yaml")
        try "model:\n  input_shape: [5, 3]\n  layers:\n    - Bidirectional: {layer: {Dense: 4}}\n".write(to: wrapped, atomically: true, encoding: .utf8)
        CLI.assertFails(try CLI.run(["validate", wrapped.path]), code: 2,
                        contains: "wrapped.yaml:4:31: model.layers[0].layer (Dense): Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU), got Dense")
    }
}

/// The LSTM spec on the real data, 12 epochs (about a minute on a quiet machine). Its test
/// accuracy moves with the seed and the BLAS kernels (float rounding differs between machines
/// of this kind): seed 42 gave 0.8885 and 0.8872 (first and second session, Haswell kernels)
/// and 0.8841 (third session, Prescott kernels);
/// seed 1 gave 0.8828 on Prescott kernels and 0.8826 on Haswell (bench/accuracy_spread.sh,
/// 2026-11-29; more runs did not fit a loaded machine: one took half an hour). The bar, 0.86,
/// sits 0.02 under the lowest of them, so it holds across seeds and kernels while still
/// catching a model that stopped learning; the 0.88 is reported in the README as a
/// typical result.
final class FashionLSTMSpecTests: XCTestCase {
    func testFashionLSTMAccuracyWithinMeasuredSpread() throws {
        XCTAssertGreaterThanOrEqual(try CLI.fashionTestAccuracy(spec: "specs/fashion_lstm.yaml", epochs: 12), 0.86)
    }
}

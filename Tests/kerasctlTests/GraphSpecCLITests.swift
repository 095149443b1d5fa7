import Foundation
import XCTest

/// Functional specs trained end to end by the built `kerasctl`: several inputs, several
/// outputs named in the logs as Keras names them, data mapped by input and output name.
final class GraphSpecCLITests: XCTestCase {
    /// The last line starting with `prefix`, split into `key: value` pairs.
    private func metrics(_ out: String, line prefix: String) throws -> [String: Double] {
        let line = try XCTUnwrap(out.split(separator: "\n").last { $0.hasPrefix(prefix) }, "no line starting \(prefix) in \(out)")
        var values: [String: Double] = [:]
        for part in line.components(separatedBy: " - ") {
            let kv = part.split(separator: ":", maxSplits: 1)
            if kv.count == 2, let v = Double(kv[1].trimmingCharacters(in: .whitespaces)) { values[String(kv[0])] = v }
        }
        return values
    }

    func testSiameseTrainsOnTwoInputs() throws {
        let r = try CLI.run(["train", "specs/iris_siamese.yaml"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertTrue(r.stdout.contains("Epoch 20/20"), r.stdout)
        let last = try metrics(r.stdout, line: "57/57")
        XCTAssertEqual(Set(last.keys), ["accuracy", "loss", "val_accuracy", "val_loss"])
        let test = try metrics(r.stdout, line: "Test:")
        XCTAssertEqual(Set(test.keys), ["accuracy", "loss"])
        XCTAssertGreaterThan(test["accuracy"] ?? 0, 0.85, "same-species pairs of unseen flowers")
    }

    func testTwoHeadsLogPerOutputMetrics() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("m.jsonl").path
        let r = try CLI.run(["train", "specs/iris_two_heads.yaml", "-o", dir.appendingPathComponent("run").path, "--metrics-out", jsonl])
        XCTAssertEqual(r.code, 0, r.stderr)
        let epoch = try metrics(r.stdout, line: "6/6")
        XCTAssertEqual(Set(epoch.keys), ["loss", "species_loss", "species_accuracy", "petal_width_loss", "petal_width_mae",
                                         "val_loss", "val_species_loss", "val_species_accuracy", "val_petal_width_loss", "val_petal_width_mae"])
        // loss = species_loss + 0.5 · petal_width_loss (loss_weights), to the printed precision.
        let combined = (epoch["species_loss"] ?? 0) + 0.5 * (epoch["petal_width_loss"] ?? 0)
        XCTAssertEqual(epoch["loss"] ?? 0, combined, accuracy: 2e-4)
        let test = try metrics(r.stdout, line: "Test:")
        XCTAssertGreaterThan(test["species_accuracy"] ?? 0, 0.85, r.stdout)
        XCTAssertLessThan(test["petal_width_mae"] ?? 1, 0.35, r.stdout)
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.first?.contains("\"val_species_accuracy\"") == true, "\(lines.first ?? "")")
    }

    func testDataNamesAreCheckedAgainstTheGraph() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("s.yaml")
        let pairs = CLI.root.appendingPathComponent("datasets/iris_pairs").path
        let train = "  train: {format: idx, x: {left: \(pairs)/train_left.csv, rigth: \(pairs)/train_right.csv}, y: \(pairs)/train_same.csv}"
        try """
        data:
        \(train)
        model:
          type: functional
          inputs: [Input: {name: left, shape: [4]}, Input: {name: right, shape: [4]}]
          layers:
            - Dense: {name: enc, units: 4, inputs: left}
            - Shared: {layer: enc, name: enc_r, inputs: right}
            - Subtract: {name: d, inputs: [enc, enc_r]}
            - Dense: {name: same, units: 1, activation: sigmoid, inputs: d}
          outputs: [same]
        compile: {loss: binary_crossentropy}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", spec.path])
        let column = try XCTUnwrap(train.range(of: "\(pairs)/train_right")).lowerBound.utf16Offset(in: train) + 1
        CLI.assertFails(r, code: 2, contains: "s.yaml:2:\(column): data.train: 'rigth' is not an input of the model; did you mean 'right'?")
    }
}

/// The residual CNN spec on the real data (about 10–20 minutes on two shared cores, so
/// opt-in: `KERASCTL_LONG=1 make test`). The issue's bar is 0.90 test accuracy.
final class ResNetSpecTests: XCTestCase {
    func testFashionResNetReaches090() throws {
        guard CLI.isRelease, ProcessInfo.processInfo.environment["KERASCTL_LONG"] == "1" else {
            throw XCTSkip("long run: set KERASCTL_LONG=1 with the release binary (KERASCTL_BIN)")
        }
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let r = try CLI.run(["train", "specs/fashion_resnet.yaml"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let test = try XCTUnwrap(r.stdout.split(separator: "\n").last { $0.hasPrefix("Test:") })
        let accuracy = try XCTUnwrap(test.components(separatedBy: "accuracy: ").last.flatMap { Double($0.prefix(6)) })
        XCTAssertGreaterThanOrEqual(accuracy, 0.90, r.stdout)
    }
}

import Foundation
import KerasBuilder
import KerasEngine
import XCTest

/// Transfer learning as Keras's guide does it, end to end through `kerasctl`: a trained
/// model's nested feature extractor (`Model: {path, layer, trainable: false}`) under a new
/// head — frozen while the head trains, rebuilt from the model directory for predict,
/// exported — and the errors a user can hit.
final class TransferCLITests: XCTestCase {
    static let backbone = """
        name: backbone
        seed: 3
        data:
          train: {format: csv, path: \(CLI.root.path)/datasets/iris.csv, target: species}
        model:
          input_shape: [4]
          layers:
            - Sequential:
                name: features
                layers:
                  - Dense: {units: 8, activation: relu}
                  - BatchNormalization
            - Dense: {units: 3, activation: softmax}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit: {epochs: 3, batch_size: 16}
        """

    static func head(_ path: String, extra: String = "") -> String {
        """
        name: head
        seed: 4
        data:
          train: {format: csv, path: \(CLI.root.path)/datasets/iris.csv, target: species}
        model:
          input_shape: [4]
          layers:
            - Model: {name: base, path: \(path), layer: features, trainable: false\(extra)}
            - Dense: {units: 3, activation: softmax}
        compile: {optimizer: {Adam: {learning_rate: 0.05}}, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit: {epochs: 3, batch_size: 16}
        """
    }

    func testFrozenBackboneUnderANewHead() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ text: String, _ name: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let backboneDir = dir.appendingPathComponent("backbone").path
        var r = try CLI.run(["train", try write(Self.backbone, "backbone.yaml"), "-o", backboneDir, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        r = try CLI.run(["export", backboneDir, dir.appendingPathComponent("backbone.keras").path])
        XCTAssertEqual(r.code, 0, r.stderr)

        // From the model directory and from the exported .keras file alike.
        for (source, out) in [(backboneDir, "head"), (dir.appendingPathComponent("backbone.keras").path, "head2")] {
            let spec = try write(Self.head(source), "\(out).yaml")
            r = try CLI.run(["summary", spec])
            XCTAssertEqual(r.code, 0, r.stderr)
            // features: Dense 4·8+8 = 40, BatchNormalization 4·8 = 32 (all frozen); head 8·3+3.
            XCTAssertTrue(r.stdout.contains("base (Sequential)"), r.stdout)
            XCTAssertTrue(r.stdout.contains("Trainable params: 27 "), r.stdout)
            XCTAssertTrue(r.stdout.contains("Non-trainable params: 72 "), r.stdout)
            r = try CLI.run(["train", spec, "-o", dir.appendingPathComponent(out).path, "--quiet"])
            XCTAssertEqual(r.code, 0, r.stderr)
        }

        // The backbone's weights did not move while the head trained.
        ModelBuilder.savedModelLoader = { path in
            let stored = try ModelStore(path.resolved).loadModel()
            return (stored.model, stored.spec.model)
        }
        defer { ModelBuilder.savedModelLoader = nil }
        let before = try ModelStore(backboneDir).loadModel().model.layers[0].parameters.map(\.value.scalars)
        let after = try ModelStore(dir.appendingPathComponent("head").path).loadModel().model.layers[0].parameters.map(\.value.scalars)
        XCTAssertEqual(before, after)

        // predict rebuilds the head from its directory (the backbone read from its path).
        r = try CLI.run(["predict", dir.appendingPathComponent("head").path, "--input", "-"], stdin: Data("5.1,3.5,1.4,0.2\n".utf8))
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, r.stdout)
        r = try CLI.run(["export", dir.appendingPathComponent("head").path, dir.appendingPathComponent("head.keras").path])
        XCTAssertEqual(r.code, 0, r.stderr)

        // Errors: an unknown nested model (with a suggestion), a missing path.
        r = try CLI.run(["summary", try write(Self.head(backboneDir).replacingOccurrences(of: "layer: features", with: "layer: feature"), "bad.yaml")])
        CLI.assertFails(r, code: 2, contains: "has no nested model 'feature'; did you mean 'features'?")
        r = try CLI.run(["summary", try write(Self.head(dir.appendingPathComponent("nowhere").path), "missing.yaml")])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.yaml:8:"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    /// A saved model whose data preprocessing lives beside it (data.preprocess) cannot be
    /// a layer: refused, not silently used without its preprocessing.
    func testSavedModelWithDataPreprocessingIsRefused() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("b.yaml")
        try Self.backbone.replacingOccurrences(of: "target: species}", with: "target: species}\n  preprocess: {standardize: true}")
            .write(to: spec, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("b").path
        var r = try CLI.run(["train", spec.path, "-o", out, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let head = dir.appendingPathComponent("h.yaml")
        try Self.head(out).write(to: head, atomically: true, encoding: .utf8)
        r = try CLI.run(["summary", head.path])
        CLI.assertFails(r, code: 2, contains: "carries data preprocessing")
    }
}

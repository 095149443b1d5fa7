import Foundation
import XCTest

/// `plot`, `plot-model`, `evaluate --confusion-matrix` and the TensorBoard callback, run
/// through the built kerasctl: the pictures' sizes and contents where they are known, and
/// every bad argument as one line with its exit code.
final class PicturesCLITests: TempDirTestCase {
    /// A model directory trained 3 epochs with validation (train: loss, accuracy and val_ of both).
    func trained(fit: String = "fit: {epochs: 3, batch_size: 32, validation_split: 0.2}") throws -> (spec: String, model: String) {
        let spec = try Fixtures.idxSpec(in: dir, fit: fit)
        let model = dir.appendingPathComponent("model").path
        try Fixtures.train(spec, model)
        return (spec, model)
    }

    /// Width and height from a PNG's IHDR chunk.
    func pngSize(_ path: String) throws -> (Int, Int) {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(b.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be(_ at: Int) -> Int { b[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    func testPlotDrawsOnePanelPerQuantity() throws {
        let (_, model) = try trained()
        let png = dir.appendingPathComponent("out/curves.png").path
        let r = try CLI.run(["plot", model, "-o", png])
        XCTAssertEqual(r.code, 0, r.stderr)
        // Two panels (loss, accuracy) side by side, 460×300 each.
        XCTAssertEqual(try pngSize(png).0, 920); XCTAssertEqual(try pngSize(png).1, 300)
        let svg = dir.appendingPathComponent("curves.svg").path
        XCTAssertEqual(try CLI.run(["plot", model, "-o", svg]).code, 0)
        XCTAssertTrue(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
    }

    func testPlotWhileTrainingRuns() throws {
        let spec = try Fixtures.idxSpec(in: dir, fit: "fit: {epochs: 100000, batch_size: 32}")
        let model = dir.appendingPathComponent("model").path
        let p = try Fixtures.start(["train", spec, "-o", model, "--quiet"], logs: dir)
        defer { if p.isRunning { p.terminate() }; p.waitUntilExit() }
        XCTAssertTrue(Fixtures.wait(timeout: 120) { Fixtures.manifest(model) != nil }, "no checkpoint within 120 s")
        for i in 0..<3 {
            let r = try CLI.run(["plot", model, "-o", dir.appendingPathComponent("live\(i).png").path])
            XCTAssertEqual(r.code, 0, r.stderr)
        }
        XCTAssertTrue(p.isRunning, "training should still be running")
    }

    func testPlotBadArguments() throws {
        let (spec, model) = try trained(fit: "fit: {epochs: 1}")
        CLI.assertFails(try CLI.run(["plot", model, "-o", dir.appendingPathComponent("c.jpg").path]), code: 2, contains: "unknown picture format")
        let blocker = try write("blocker", "x")
        CLI.assertFails(try CLI.run(["plot", model, "-o", blocker + "/c.png"]), code: 2, contains: "cannot write -o file")
        CLI.assertFails(try CLI.run(["plot", dir.appendingPathComponent("nowhere").path, "-o", dir.appendingPathComponent("c.png").path]),
                        code: 3, contains: "not a kerasctl model directory")
        // A run that has not finished its first epoch: spec.yaml written, no checkpoint yet.
        let early = dir.appendingPathComponent("early")
        try FileManager.default.createDirectory(at: early, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: spec, toPath: early.appendingPathComponent("spec.yaml").path)
        CLI.assertFails(try CLI.run(["plot", early.path, "-o", dir.appendingPathComponent("c.png").path]), code: 3, contains: "no history yet")
        let keras = dir.appendingPathComponent("m.keras").path
        XCTAssertEqual(try CLI.run(["export", model, keras]).code, 0)
        CLI.assertFails(try CLI.run(["plot", keras, "-o", dir.appendingPathComponent("c.png").path]), code: 2, contains: "keeps no training history")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.png").path))
    }

    func testPlotModelShowsLayersShapesAndBranches() throws {
        let spec = try write("graph.yaml", """
        model:
          type: functional
          inputs:
            - Input: {name: image, shape: [8, 8, 1]}
          layers:
            - Conv2D: {name: c1, filters: 4, kernel_size: 3, padding: same, activation: relu, inputs: image}
            - Conv2D: {name: c2, filters: 4, kernel_size: 3, padding: same, inputs: c1}
            - Add: {name: skip, inputs: [c1, c2]}
            - GlobalAveragePooling2D: {name: gap, inputs: skip}
            - Dense: {name: probs, units: 3, activation: softmax, inputs: gap}
          outputs: [probs]
        """)
        let svgPath = dir.appendingPathComponent("model.svg").path
        let r = try CLI.run(["plot-model", spec, "-o", svgPath])
        XCTAssertEqual(r.code, 0, r.stderr)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        for name in ["image", "c1", "c2", "skip", "gap", "probs"] { XCTAssertTrue(svg.contains(">\(name)</text>"), name) }
        for text in ["(InputLayer)", "(Conv2D)", "(Add)", "Output shape: (None, 8, 8, 4)", "Output shape: (None, 3)", "Input shape: [(None, 8, 8, 4), (None, 8, 8, 4)]"] {
            XCTAssertTrue(svg.contains(text), text)
        }
        // image→c1, c1→c2, c1→skip, c2→skip (the branch and the merge), skip→gap, gap→probs.
        XCTAssertEqual(svg.components(separatedBy: "class=\"edge\"").count - 1, 6)
        let png = dir.appendingPathComponent("model.png").path
        XCTAssertEqual(try CLI.run(["plot-model", spec, "-o", png, "--dpi", "72"]).code, 0)
        XCTAssertGreaterThan(try pngSize(png).1, try pngSize(png).0, "top to bottom: taller than wide")
    }

    func testPlotModelOfADirectoryAndBadArguments() throws {
        let (_, model) = try trained(fit: "fit: {epochs: 1}")
        let svgPath = dir.appendingPathComponent("m.svg").path
        XCTAssertEqual(try CLI.run(["plot-model", model, "-o", svgPath]).code, 0)
        XCTAssertTrue(try String(contentsOfFile: svgPath, encoding: .utf8).contains("Output shape: (None, 4)"))
        CLI.assertFails(try CLI.run(["plot-model", model, "-o", dir.appendingPathComponent("m.gif").path]), code: 2, contains: "unknown picture format")
        CLI.assertFails(try CLI.run(["plot-model", model, "-o", svgPath, "--rankdir", "BT"]), code: 2, contains: "--rankdir")
        let bad = try write("bad.yaml", "model:\n  input_shape: [4]\n  layers:\n    - Dense: {units: -4}\n")
        CLI.assertFails(try CLI.run(["plot-model", bad, "-o", svgPath]), code: 2, contains: "bad.yaml:4:")
    }

    func testConfusionMatrixCountsEveryTestExample() throws {
        let (_, model) = try trained()
        let png = dir.appendingPathComponent("cm.png").path
        let r = try CLI.run(["evaluate", model, "--confusion-matrix", "-o", png])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("true \\ predicted") })
        let rows = lines[(header + 1)...].map { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }
        XCTAssertEqual(rows.count, 4); XCTAssertTrue(rows.allSatisfy { $0.count == 4 })
        // Row sums: the test labels per class (Fixtures.images with seed 2); the diagonal: accuracy.
        let (_, labels) = Fixtures.images(count: 200, side: 8, classes: 4, seed: 2)
        XCTAssertEqual(rows.map { $0.reduce(0, +) }, (0..<4).map { c in labels.filter { Int($0) == c }.count })
        let accuracy = try XCTUnwrap(lines[0].components(separatedBy: "accuracy: ").last?.prefix(6)).description
        XCTAssertEqual(Double((0..<4).map { rows[$0][$0] }.reduce(0, +)) / 200, Double(accuracy)!, accuracy: 0.00005)
        let (w, h) = try pngSize(png)
        XCTAssertGreaterThan(w, 4 * 48); XCTAssertGreaterThan(h, 4 * 48)
        let named = try CLI.run(["evaluate", model, "--confusion-matrix", "--class-names", "top, upper,lower,bottom"])
        XCTAssertTrue(named.stdout.contains("top") && named.stdout.contains("bottom"), named.stdout)
    }

    func testConfusionMatrixBadArguments() throws {
        let (spec, model) = try trained(fit: "fit: {epochs: 1}")
        CLI.assertFails(try CLI.run(["evaluate", model, "-o", dir.appendingPathComponent("cm.png").path]), code: 2, contains: "give --confusion-matrix")
        CLI.assertFails(try CLI.run(["evaluate", model, "--confusion-matrix", "-o", dir.appendingPathComponent("cm.bmp").path]), code: 2, contains: "unknown picture format")
        CLI.assertFails(try CLI.run(["evaluate", model, "--confusion-matrix", "--class-names", "a,b"]), code: 2, contains: "gives 2 names, but the model has 4 classes")
        // A regression model is not a classifier.
        let text = try String(contentsOfFile: spec, encoding: .utf8)
            .replacingOccurrences(of: "sparse_categorical_crossentropy", with: "mse").replacingOccurrences(of: "metrics: [accuracy]", with: "metrics: [mae]")
            .replacingOccurrences(of: "- Dense: {units: 4, activation: softmax}", with: "- Dense: {units: 1}")
        let regression = try write("regression.yaml", text)
        let rmodel = dir.appendingPathComponent("rmodel").path
        try Fixtures.train(regression, rmodel)
        CLI.assertFails(try CLI.run(["evaluate", rmodel, "--confusion-matrix"]), code: 2, contains: "needs a classifier")
    }

    func testTensorBoardCallbackFromASpec() throws {
        let spec = try Fixtures.idxSpec(in: dir, fit: """
        fit:
          epochs: 2
          validation_split: 0.2
          callbacks:
            - TensorBoard: {log_dir: tb, update_freq: batch, histogram_freq: 1}
        """)
        try Fixtures.train(spec, dir.appendingPathComponent("model").path)
        for run in ["train", "validation"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tb/\(run)").path)
            XCTAssertEqual(files.filter { $0.hasPrefix("events.out.tfevents.") }.count, 1, run)
        }
        for (args, fragment) in [("{log_dirr: tb}", "did you mean 'log_dir'"), ("{write_images: true}", "write_images is not supported"),
                                 ("{update_freq: 0}", "update_freq"), ("{update_freq: often}", "update_freq")] {
            let bad = try Fixtures.idxSpec(in: dir, fit: "fit:\n  callbacks:\n    - TensorBoard: \(args)")
            CLI.assertFails(try CLI.run(["train", bad, "-o", dir.appendingPathComponent("bad").path, "--quiet"]), code: 2, contains: fragment)
        }
        // An unwritable log_dir is found before the first epoch.
        _ = try write("blocker", "x")
        let blocked = try Fixtures.idxSpec(in: dir, fit: "fit:\n  callbacks:\n    - TensorBoard: blocker/tb")
        CLI.assertFails(try CLI.run(["train", blocked, "-o", dir.appendingPathComponent("bad").path, "--quiet"]), code: 2, contains: "cannot write TensorBoard log_dir")
    }
}

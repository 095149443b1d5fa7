import Foundation
import XCTest

/// kerasctl on Keras files: `summary FILE.keras|.h5`, `export`, `train --init-weights`,
/// `keras_json` specs; broken files end with one line and exit 3.
final class KerasFileCLITests: TempDirTestCase {

    let fixtures = "Tests/KerasInteropTests/Fixtures/keras_models"

    func testSummaryOfKerasFiles() throws {
        for file in ["residual.keras", "residual.h5"] {
            let r = try CLI.run(["summary", "\(fixtures)/\(file)"])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("Total params: 146"), r.stdout)
            XCTAssertTrue(r.stdout.contains("skip (Add)"), r.stdout)
        }
    }

    func testKerasJSONSpec() throws {
        let spec = dir.appendingPathComponent("spec.yaml")
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("\(fixtures)/siamese.json").path,
                                         toPath: dir.appendingPathComponent("siamese.json").path)
        try "model: {keras_json: siamese.json}\n".write(to: spec, atomically: true, encoding: .utf8)
        let r = try CLI.run(["summary", spec.path])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Total params: 41"), r.stdout)
    }

    func testExportThenSummaryAndInitWeights() throws {
        let out = dir.appendingPathComponent("r.keras").path
        let e = try CLI.run(["export", "\(fixtures)/residual.keras", out])
        XCTAssertEqual(e.code, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("wrote \(out) (146 parameters)"), e.stdout)
        let s = try CLI.run(["summary", out])
        XCTAssertTrue(s.stdout.contains("Total params: 146"), s.stdout)

        let iris = dir.appendingPathComponent("iris.keras").path
        XCTAssertEqual(try CLI.run(["export", "specs/iris.yaml", iris]).code, 0)
        let t = try CLI.run(["train", "specs/iris.yaml", "--init-weights", iris, "--epochs", "1", "--quiet"])
        XCTAssertEqual(t.code, 0, t.stderr)
        let bad = try CLI.run(["train", "specs/iris.yaml", "--init-weights", out, "--epochs", "1", "--quiet"])
        CLI.assertFails(bad, code: 3, contains: "has no layer 'dense' to take weights from")
    }

    /// `predict FILE.keras` and `predict FILE.h5` print Keras's predictions (to 1e-5).
    func testPredictFromKerasFiles() throws {
        let io = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.root.appendingPathComponent("\(fixtures)/residual.io.json"))) as! [String: Any]
        let x = (io["inputs"] as! [[String: Any]])[0], y = (io["outputs"] as! [[String: Any]])[0]
        let xs = x["data"] as! [Double], ys = y["data"] as! [Double]
        let width = (x["shape"] as! [Int])[1], outs = (y["shape"] as! [Int])[1]
        let csv = dir.appendingPathComponent("x.csv")
        try stride(from: 0, to: xs.count, by: width).map { xs[$0..<($0 + width)].map { "\($0)" }.joined(separator: ",") }
            .joined(separator: "\n").appending("\n").write(to: csv, atomically: true, encoding: .utf8)
        for ext in ["keras", "h5"] {
            let r = try CLI.run(["predict", "\(fixtures)/residual.\(ext)", "--input", csv.path, "--probabilities"])
            XCTAssertEqual(r.code, 0, r.stderr)
            let got = r.stdout.split(separator: "\n").flatMap { $0.split(separator: ",").compactMap { Double($0) } }
            XCTAssertEqual(got.count, ys.count, r.stdout)
            for (a, b) in zip(got, ys) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(ext)") }
            XCTAssertEqual(got.count / outs, 4)
        }
    }

    func testExportNeedsKerasExtension() throws {
        let r = try CLI.run(["export", "\(fixtures)/residual.keras", dir.appendingPathComponent("x.zip").path])
        CLI.assertFails(r, code: 2, contains: "the output must be a .keras file")
    }

    func testBrokenKerasFilesExit3() throws {
        let truncated = dir.appendingPathComponent("t.keras")
        let bytes = try Data(contentsOf: CLI.root.appendingPathComponent("\(fixtures)/residual.keras"))
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        CLI.assertFails(try CLI.run(["summary", truncated.path]), code: 3, contains: "not a valid zip archive")
        let junk = dir.appendingPathComponent("j.keras")
        try Data("hello".utf8).write(to: junk)
        CLI.assertFails(try CLI.run(["summary", junk.path]), code: 3, contains: "not a Keras model file")
        CLI.assertFails(try CLI.run(["export", junk.path, dir.appendingPathComponent("o.keras").path]), code: 3,
                        contains: "not a Keras model file")
    }
}

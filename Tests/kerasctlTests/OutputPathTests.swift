import Foundation
import XCTest

/// Every path kerasctl writes gets its missing parent folders (`mkdir -p`); a location that
/// cannot be written is one line and exit 2, before any training.
final class OutputPathTests: XCTestCase {
    func testTrainExportEvaluateAndCallbacksCreateParentFolders() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("iris.yaml")
        try """
        name: iris
        seed: 7
        data:
          train: {format: csv, path: \(CLI.root.path)/datasets/iris.csv, target: species}
          test: {format: csv, path: \(CLI.root.path)/datasets/iris.csv, target: species}
        model:
          layers:
            - Dense: {units: 3, activation: softmax}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit:
          epochs: 2
          batch_size: 32
          callbacks:
            - CSVLogger: {filename: "\(dir.path)/logs/csv/history.csv"}
            - ModelCheckpoint: {filepath: "\(dir.path)/ckpts/deep/w-{epoch}.weights.h5", save_weights_only: true}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("runs/a/b/model").path
        let metrics = dir.appendingPathComponent("metrics/x/m.jsonl").path
        var r = try CLI.run(["train", spec.path, "-o", model, "--metrics-out", metrics, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        for f in ["runs/a/b/model/model.json", "metrics/x/m.jsonl", "logs/csv/history.csv", "ckpts/deep/w-2.weights.h5"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), f)
        }
        XCTAssertEqual(try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count, 3)

        let exported = dir.appendingPathComponent("export/here/m.keras").path
        r = try CLI.run(["export", model, exported])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: exported))

        let evalOut = dir.appendingPathComponent("eval/out/e.jsonl").path
        r = try CLI.run(["evaluate", model, "--metrics-out", evalOut, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(try String(contentsOfFile: evalOut, encoding: .utf8).hasPrefix("{\"test_"))
    }

    func testUnwritableLocationsAreOneLineAndExit2() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file where a folder must be: unwritable for every user, root included.
        let blocker = dir.appendingPathComponent("file").path
        FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        var r = try CLI.run(["train", "specs/iris.yaml", "-o", blocker + "/model", "--quiet"])
        CLI.assertFails(r, code: 2, contains: "cannot write -o folder '\(blocker)/model': \(blocker): cannot create the folder: a file of that name exists")
        r = try CLI.run(["train", "specs/iris.yaml", "--metrics-out", blocker + "/sub/m.jsonl", "--quiet"])
        CLI.assertFails(r, code: 2, contains: "cannot write --metrics-out file '\(blocker)/sub/m.jsonl'")
        r = try CLI.run(["export", "specs/iris.yaml", blocker + "/m.keras"])
        CLI.assertFails(r, code: 2, contains: "cannot write the output file '\(blocker)/m.keras'")
        XCTAssertEqual(try String(contentsOfFile: blocker, encoding: .utf8), "x", "nothing was written over the file")
    }
}

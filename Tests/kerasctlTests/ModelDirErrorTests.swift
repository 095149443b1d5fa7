import Foundation
import XCTest

/// A damaged model directory or bad input: one clear line, exit 3, nothing printed on
/// stdout and nothing in the directory changed.
final class ModelDirErrorTests: XCTestCase {
    var dir: URL!
    var model: String!
    var spec: String!
    override func setUpWithError() throws {
        dir = try CLI.tempDir()
        spec = try Fixtures.idxSpec(in: dir, train: 200, test: 50)
        model = dir.appendingPathComponent("bands").path
        try Fixtures.train(spec, model)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    var testX: String { dir.appendingPathComponent("test-x.idx").path }

    /// A copy of the model directory with `damage` applied.
    func damaged(_ name: String, _ damage: (String, String) throws -> Void) throws -> String {
        let copy = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: model, toPath: copy)
        let ck = "\(copy)/\(Fixtures.manifest(copy)!["checkpoint"] as! String)"
        try damage(copy, ck)
        return copy
    }

    /// Every command that reads `d` fails with exit 3 and `fragment`, changing nothing.
    func assertEveryReaderFails(_ d: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = Fixtures.snapshot(d)
        for args in [["predict", d, "--input", testX], ["evaluate", d], ["summary", d], ["train", "--resume", d, "--epochs", "9"]] {
            let r = try CLI.run(args)
            CLI.assertFails(r, code: 3, contains: fragment, file: file, line: line)
            XCTAssertEqual(r.stdout, "", "\(args[0]) printed output", file: file, line: line)
        }
        XCTAssertEqual(Fixtures.snapshot(d), before, "the directory changed", file: file, line: line)
    }

    func testBadManifest() throws {
        let d = try damaged("badjson") { d, _ in try "{\"format\": \"kerasctl-model\", ".write(toFile: "\(d)/model.json", atomically: true, encoding: .utf8) }
        try assertEveryReaderFails(d, "model.json")
        let foreign = try damaged("foreign") { d, _ in try "{\"hello\": 1}".write(toFile: "\(d)/model.json", atomically: true, encoding: .utf8) }
        try assertEveryReaderFails(foreign, "model.json")
    }

    func testTruncatedWeights() throws {
        let d = try damaged("truncated") { _, ck in
            let w = "\(ck)/weights.safetensors"
            let data = try Data(contentsOf: URL(fileURLWithPath: w))
            try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: w))
        }
        try assertEveryReaderFails(d, "weights.safetensors")
    }

    func testMissingCheckpointAndSpec() throws {
        let d = try damaged("nockpt") { _, ck in try FileManager.default.removeItem(atPath: ck) }
        try assertEveryReaderFails(d, "missing")
        let s = try damaged("nospec") { d, _ in try FileManager.default.removeItem(atPath: "\(d)/spec.yaml") }
        try assertEveryReaderFails(s, "spec.yaml")
        let p = try damaged("nopre") { _, ck in try "[1, 2".write(toFile: "\(ck)/preprocessing.json", atomically: true, encoding: .utf8) }
        try assertEveryReaderFails(p, "preprocessing.json")
    }

    func testNotAModelDirectory() throws {
        CLI.assertFails(try CLI.run(["predict", dir.appendingPathComponent("none").path, "--input", testX]), code: 3, contains: "not a kerasctl model directory")
        CLI.assertFails(try CLI.run(["evaluate", dir.path]), code: 3, contains: "no model.json")
    }

    func testWrongShapedRows() throws {
        // 64 features expected; the second CSV row is short, the first has 3 values.
        let short = try CLI.run(["predict", model, "--input", "-"], stdin: Data("1,2,3\n".utf8))
        CLI.assertFails(short, code: 3, contains: "<stdin>:1: row has 3 feature values, but the model expects 64")
        XCTAssertEqual(short.stdout, "")
        let row = (0..<64).map { _ in "1" }.joined(separator: ",")
        let ragged = try CLI.run(["predict", model, "--input", "-"], stdin: Data("\(row)\n1,2\n".utf8))
        CLI.assertFails(ragged, code: 3, contains: "<stdin>:2: row has 2 fields, expected 64")
        // An IDX file of 4×4 examples for an 8×8 model.
        let small = dir.appendingPathComponent("small.idx").path
        try Fixtures.writeIDX(small, shape: [2, 4, 4], bytes: [UInt8](repeating: 1, count: 32))
        CLI.assertFails(try CLI.run(["predict", model, "--input", small]), code: 3, contains: "small.idx: example 1 has shape [4, 4] (16 values), but the model expects 64")
        let e = try CLI.run(["evaluate", model, "--x", small, "--y", dir.appendingPathComponent("test-y.idx").path])
        XCTAssertEqual(e.code, 3, e.stderr)
    }

    func testUnknownClassNameInEvaluateCSV() throws {
        let iris = dir.appendingPathComponent("iris").path
        try Fixtures.train("specs/iris.yaml", iris)
        let bad = dir.appendingPathComponent("flowers.csv")
        try "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n6.0,2.9,4.5,1.5,daisy\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let metrics = dir.appendingPathComponent("m.jsonl").path
        let before = Fixtures.snapshot(iris)
        let r = try CLI.run(["evaluate", iris, "--csv", bad.path, "--metrics-out", metrics])
        CLI.assertFails(r, code: 3, contains: "flowers.csv:3:5 (species): unknown class 'daisy'; known classes: setosa, versicolor, virginica")
        XCTAssertFalse(FileManager.default.fileExists(atPath: metrics), "--metrics-out written despite the error")
        XCTAssertEqual(Fixtures.snapshot(iris), before)
    }
}

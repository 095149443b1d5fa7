import Foundation
import KerasBuilder
import KerasEngine
import XCTest

/// `predict`, `evaluate` and `summary` on model directories written by `train -o`.
final class PredictTests: TempDirTestCase {

    var iris: String { CLI.root.appendingPathComponent("datasets/iris.csv").path }

    /// The iris model (specs/iris.yaml), trained once per test.
    func irisModel() throws -> String {
        let out = dir.appendingPathComponent("iris").path
        try Fixtures.train("specs/iris.yaml", out)
        return out
    }

    /// The species column of datasets/iris.csv.
    func irisSpecies() throws -> [String] {
        try String(contentsOfFile: iris, encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.split(separator: ",").last!) }
    }

    func testIrisPredictAccuracyEqualsEvaluate() throws {
        let model = try irisModel()
        // The training file itself, target column included: features are picked by name.
        let p = try CLI.run(["predict", model, "--input", iris])
        XCTAssertEqual(p.code, 0, p.stderr)
        let predicted = p.stdout.split(separator: "\n").map(String.init)
        let truth = try irisSpecies()
        XCTAssertEqual(predicted.count, 150)
        XCTAssertTrue(Set(predicted).isSubset(of: ["setosa", "versicolor", "virginica"]), "class names expected: \(predicted.prefix(3))")
        let accuracy = Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)

        let metrics = dir.appendingPathComponent("eval.jsonl").path
        let e = try CLI.run(["evaluate", model, "--csv", iris, "--metrics-out", metrics])
        XCTAssertEqual(e.code, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains(" - accuracy: ") && e.stdout.contains(" - loss: "), e.stdout)
        let line = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as! [String: Any]
        let evaluated = try XCTUnwrap(line["test_accuracy"] as? Double)
        XCTAssertNotNil(line["test_loss"] as? Double)
        XCTAssertEqual(accuracy, evaluated, accuracy: 1e-6)
        XCTAssertGreaterThan(accuracy, 0.9)
    }

    func testIDXPredictAccuracyEqualsEvaluateOnStoredTestData() throws {
        let spec = try Fixtures.idxSpec(in: dir)
        let model = dir.appendingPathComponent("bands").path
        try Fixtures.train(spec, model)
        let testX = dir.appendingPathComponent("test-x.idx").path
        let p = try CLI.run(["predict", model, "--input", testX, "--batch-size", "7"])
        XCTAssertEqual(p.code, 0, p.stderr)
        let predicted = p.stdout.split(separator: "\n").map { Int($0)! }
        let labels = [UInt8](try Data(contentsOf: dir.appendingPathComponent("test-y.idx")).dropFirst(8))
        XCTAssertEqual(predicted.count, 200)
        let accuracy = Double(zip(predicted, labels).filter { $0 == Int($1) }.count) / 200

        let metrics = dir.appendingPathComponent("eval.jsonl").path
        let e = try CLI.run(["evaluate", model, "--metrics-out", metrics])
        XCTAssertEqual(e.code, 0, e.stderr)
        XCTAssertTrue(e.stdout.hasPrefix("7/7 - "), e.stdout)
        let line = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as! [String: Any]
        XCTAssertEqual(accuracy, try XCTUnwrap(line["test_accuracy"] as? Double), accuracy: 1e-6)

        // The same through --x/--y and through --data (another spec's data.test).
        let xy = try CLI.run(["evaluate", model, "--x", testX, "--y", dir.appendingPathComponent("test-y.idx").path, "--quiet",
                              "--metrics-out", metrics])
        XCTAssertEqual(xy.code, 0, xy.stderr)
        let line2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as! [String: Any]
        XCTAssertEqual(line2["test_accuracy"] as? Double, line["test_accuracy"] as? Double)
        let d = try CLI.run(["evaluate", model, "--data", spec])
        XCTAssertEqual(d.code, 0, d.stderr)
        XCTAssertEqual(d.stdout.split(separator: "-").last, e.stdout.split(separator: "-").last)
    }

    func testReloadGivesIdenticalOutputsAndMatchesTheInProcessModel() throws {
        let model = try irisModel()
        let a = try CLI.run(["predict", model, "--input", iris, "--probabilities"])
        let b = try CLI.run(["predict", model, "--input", iris, "--probabilities", "--batch-size", "1000"])
        XCTAssertEqual(a.code, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        let printed = Fixtures.floats(a.stdout)
        XCTAssertEqual(printed.count, 150)

        // In process: the stored model, its preprocessing, the same features.
        let stored = try ModelStore(model).loadModel()
        let rows = try String(contentsOfFile: iris, encoding: .utf8).split(separator: "\n").dropFirst()
        var x = rows.flatMap { $0.split(separator: ",").prefix(4).map { Float(String($0))! } }
        x.withUnsafeMutableBufferPointer { stored.preprocessing.apply(to: $0.baseAddress!, count: 150, exampleSize: 4) }
        let out = stored.model.predict([Tensor(shape: [150, 4], data: x)])[0]
        for i in 0..<150 { for k in 0..<3 { XCTAssertEqual(printed[i][k].bitPattern, out[flat: i * 3 + k].bitPattern, "row \(i)") } }
    }

    func testOutputFormats() throws {
        let model = try irisModel()
        let row = "sepal_length,sepal_width,petal_length,petal_width\n6.7,3.0,5.2,2.3\n"
        func run(_ extra: [String]) throws -> String {
            let r = try CLI.run(["predict", model, "--input", "-"] + extra, stdin: Data(row.utf8))
            XCTAssertEqual(r.code, 0, r.stderr)
            return r.stdout
        }
        XCTAssertEqual(try run([]), "virginica\n")
        XCTAssertEqual(try run(["--output", "jsonl"]), "{\"class\": \"virginica\"}\n")
        let probs = try run(["--output", "jsonl", "--probabilities"])
        XCTAssertTrue(probs.hasPrefix("{\"class\": \"virginica\", \"probabilities\": ["), probs)
        let top = try run(["--top-k", "2"]).split(separator: ",")
        XCTAssertEqual(top.count, 4)
        XCTAssertEqual(top[0], "virginica")
        let topJSON = try run(["--top-k", "5", "--output", "jsonl"])
        let parsed = try JSONSerialization.jsonObject(with: Data(topJSON.utf8)) as! [String: Any]
        let list = try XCTUnwrap(parsed["top_k"] as? [[String: Any]])
        XCTAssertEqual(list.count, 3, "k is capped at the number of classes")
        XCTAssertEqual(list[0]["class"] as? String, "virginica")
        // Without a header, every column is a feature.
        let bare = try CLI.run(["predict", model, "--input", "-"], stdin: Data("6.7,3.0,5.2,2.3\n".utf8))
        XCTAssertEqual(bare.stdout, "virginica\n")
        let both = try CLI.run(["predict", model, "--input", "-", "--top-k", "2", "--probabilities"])
        CLI.assertFails(both, code: 2, contains: "exclude")
    }

    /// ab.csv: features a, b; label = yes when a + b > 0; size = 2a - b.
    func writeABCSV() throws {
        var csv = "a,b,label,size\n"
        var rng = Fixtures.LCG(state: 3)
        for _ in 0..<200 {
            let a = Double(rng.next() % 1000) / 500 - 1, b = Double(rng.next() % 1000) / 500 - 1
            csv += "\(a),\(b),\(a + b > 0 ? "yes" : "no"),\(2 * a - b)\n"
        }
        try csv.write(to: dir.appendingPathComponent("ab.csv"), atomically: true, encoding: .utf8)
    }

    func testMultiOutputFormats() throws {
        try writeABCSV()
        let spec = dir.appendingPathComponent("multi.yaml").path
        try """
        seed: 1
        data: {train: {format: csv, path: ab.csv, target: {cls: label, val: size}, features: [a, b]}}
        model:
          type: functional
          inputs: [{Input: {name: x, shape: [2]}}]
          layers:
            - Dense: {name: h, units: 8, activation: relu, inputs: x}
            - Dense: {name: cls, units: 2, activation: softmax, inputs: h}
            - Dense: {name: val, units: 1, inputs: h}
          outputs: [cls, val]
        compile: {optimizer: {Adam: {learning_rate: 0.05}}, loss: {cls: sparse_categorical_crossentropy, val: mse}}
        fit: {epochs: 20}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("multi").path
        try Fixtures.train(spec, model)
        let input = Data("a,b\n0.9,0.8\n".utf8)
        let csv = try CLI.run(["predict", model, "--input", "-"], stdin: input)
        XCTAssertEqual(csv.code, 0, csv.stderr)
        let fields = csv.stdout.dropLast().split(separator: ",")
        XCTAssertEqual(fields.count, 2)
        XCTAssertEqual(fields[0], "yes")
        XCTAssertEqual(Double(fields[1])!, 1.0, accuracy: 0.3)
        let json = try CLI.run(["predict", model, "--input", "-", "--output", "jsonl", "--top-k", "1"], stdin: input)
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: [String: Any]]
        XCTAssertEqual(Set(obj.keys), ["cls", "val"])
        XCTAssertEqual((obj["cls"]?["top_k"] as? [[String: Any]])?.first?["class"] as? String, "yes")
        XCTAssertEqual((obj["val"]?["values"] as? [Double])?.count, 1)
    }

    func testBinaryAndRegressionOutputs() throws {
        try writeABCSV()
        let binary = dir.appendingPathComponent("bin.yaml").path
        try """
        seed: 1
        data: {train: {format: csv, path: ab.csv, target: label, features: [a, b]}}
        model: {input_shape: [2], layers: [{Dense: {units: 1, activation: sigmoid}}]}
        compile: {optimizer: {Adam: {learning_rate: 0.05}}, loss: binary_crossentropy, metrics: [accuracy]}
        fit: {epochs: 30}
        """.write(toFile: binary, atomically: true, encoding: .utf8)
        let regression = dir.appendingPathComponent("reg.yaml").path
        try """
        seed: 1
        data: {train: {format: csv, path: ab.csv, target: size, features: [a, b]}}
        model: {input_shape: [2], layers: [{Dense: 1}]}
        compile: {optimizer: {Adam: {learning_rate: 0.05}}, loss: mse}
        fit: {epochs: 40}
        """.write(toFile: regression, atomically: true, encoding: .utf8)
        let bm = dir.appendingPathComponent("bin").path, rm = dir.appendingPathComponent("reg").path
        try Fixtures.train(binary, bm)
        try Fixtures.train(regression, rm)
        let input = Data("a,b\n0.9,0.8\n-0.9,-0.7\n".utf8)
        XCTAssertEqual(try CLI.run(["predict", bm, "--input", "-"], stdin: input).stdout, "yes\nno\n")
        let top = try CLI.run(["predict", bm, "--input", "-", "--top-k", "1"], stdin: input).stdout
        XCTAssertTrue(top.hasPrefix("yes,0.") && top.contains("\nno,0."), top)
        let values = try CLI.run(["predict", rm, "--input", "-", "--output", "jsonl"], stdin: input)
        XCTAssertEqual(values.code, 0, values.stderr)
        let first = try JSONSerialization.jsonObject(with: Data(values.stdout.split(separator: "\n")[0].utf8)) as! [String: Any]
        let v = try XCTUnwrap((first["values"] as? [Double])?.first)
        XCTAssertEqual(v, 1.0, accuracy: 0.25)  // 2 * 0.9 - 0.8
        CLI.assertFails(try CLI.run(["predict", rm, "--input", "-", "--top-k", "2"], stdin: input), code: 2, contains: "classification")
    }

    func testGzipStdinIDXAndSummaryOfADirectory() throws {
        let spec = try Fixtures.idxSpec(in: dir)
        let model = dir.appendingPathComponent("bands").path
        try Fixtures.train(spec, model)
        let testX = dir.appendingPathComponent("test-x.idx")
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gz.arguments = ["-k", testX.path]
        try gz.run(); gz.waitUntilExit()
        let fromFile = try CLI.run(["predict", model, "--input", testX.path])
        let fromStdin = try CLI.run(["predict", model, "--input", "-", "--input-format", "idx"],
                                    stdin: try Data(contentsOf: URL(fileURLWithPath: testX.path + ".gz")))
        XCTAssertEqual(fromStdin.code, 0, fromStdin.stderr)
        XCTAssertEqual(fromFile.stdout, fromStdin.stdout)
        let fromGzName = try CLI.run(["predict", model, "--input", testX.path + ".gz"])
        XCTAssertEqual(fromFile.stdout, fromGzName.stdout)

        let s = try CLI.run(["summary", model]), t = try CLI.run(["summary", spec])
        XCTAssertEqual(s.code, 0, s.stderr)
        XCTAssertTrue(s.stdout.contains("Total params: 2,212"), s.stdout)
        XCTAssertEqual(s.stdout, t.stdout)
    }
}

import Foundation
import XCTest

/// Issue 13 through the CLI: absurd sizes, batch sizes and memory limits, reader errors,
/// Keras-file config errors — each one line on stderr with the documented exit code, no
/// backtrace, fast.
final class HostileInputCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try CLI.tempDir() }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func file(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Runs kerasctl and checks: exit `code`, one stderr line containing `fragment`, nothing
    /// of a backtrace, within `seconds`.
    @discardableResult
    func expect(_ args: [String], code: Int32, _ fragment: String, environment: [String: String] = [:], seconds: Double = 20,
                file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let start = Date()
        let r = try CLI.run(args, environment: environment)
        XCTAssertEqual(r.code, code, r.stderr, file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Backtrace") || r.stderr.contains("Thread 0"), r.stderr, file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds, file: file, line: line)
        return r.stderr
    }

    static let mlp = CLI.root.appendingPathComponent("Tests/KerasInteropTests/Fixtures/keras_models/mlp_bn.keras").path

    /// Class 1: validate and summary of a model over the budget: one located error, exit 2.
    func testHugeUnitsAreOneLocatedErrorForValidateAndSummary() throws {
        for units in ["100000000", "10000000000000"] {
            let spec = try file("huge.yaml", "model:\n  input_shape: [784]\n  layers:\n    - Dense: \(units)\n")
            for command in ["validate", "summary"] {
                try expect([command, spec], code: 2, "huge.yaml:4:")
            }
        }
    }

    /// Class 1: summary of a large model within the budget builds no weights (fast).
    func testSummaryOfALargeModelNeedsNoWeights() throws {
        let spec = try file("large.yaml", "model:\n  input_shape: [784]\n  layers:\n    - Dense: 1000000\n")
        let start = Date()
        let r = try CLI.run(["summary", spec], environment: ["KERASCTL_MEMORY_LIMIT": "8G"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("785,000,000"), r.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// Class 2: Int.max units and input dimensions, in a spec.
    func testIntMaxSizesAreRejectedWhereWritten() throws {
        let a = try file("a.yaml", "model:\n  input_shape: [784]\n  layers:\n    - Dense: 9223372036854775807\n")
        try expect(["validate", a], code: 2, "a.yaml:4:14:")
        let b = try file("b.yaml", "model:\n  input_shape: [9223372036854775807]\n  layers:\n    - Dense: 3\n")
        try expect(["validate", b], code: 2, "b.yaml:2:17:")
    }

    /// Class 3: --batch-size over the budget or beyond Int64 arithmetic is exit 2, before
    /// any input is read (the CSV is valid).
    func testAbsurdBatchSizesAreUsageErrors() throws {
        let csv = try file("x.csv", String(repeating: "0.5,", count: 783) + "0.5\n")
        for size in ["2147483648", "9223372036854775807"] {
            let text = try expect(["predict", Self.mlp, "--input", csv, "--batch-size", size], code: 2, "--batch-size \(size):")
            XCTAssertFalse(text.contains("empty file"), text)
        }
    }

    /// The memory limit is set by KERASCTL_MEMORY_LIMIT; a bad value is exit 2.
    func testMemoryLimitEnvironment() throws {
        let spec = try file("m.yaml", "model:\n  input_shape: [100]\n  layers:\n    - Dense: 10000\n")
        try expect(["validate", spec], code: 2, "KERASCTL_MEMORY_LIMIT='lots'", environment: ["KERASCTL_MEMORY_LIMIT": "lots"])
        try expect(["validate", spec], code: 2, "m.yaml:4:7: model.layers[0] (Dense): its weights", environment: ["KERASCTL_MEMORY_LIMIT": "1M"])
        let r = try CLI.run(["validate", spec], environment: ["KERASCTL_MEMORY_LIMIT": "1G"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    /// Class 6: a libyaml reader error (control character) is located.
    func testControlCharacterInSpecIsLocated() throws {
        let spec = try file("c.yaml", "model:\n  input_shape: [4]\n  layers: [Dense: \u{01}3]\n")
        try expect(["validate", spec], code: 2, "c.yaml:3:")
    }

    /// Class 6: a .keras whose compile_config loss does not build fails the same way in
    /// summary and predict: exit 2, in the file, no made-up spec.yaml path.
    func testBadCompileConfigLossIsExit2Everywhere() throws {
        let keras = CLI.root.appendingPathComponent("Fuzz/regressions/weights/bad-loss.keras").path
        let csv = try file("x.csv", "1,2,3\n")
        for args in [["summary", keras], ["predict", keras, "--input", csv]] {
            let text = try expect(args, code: 2, "bad-loss.keras/config.json:")
            XCTAssertFalse(text.contains("spec.yaml"), text)
        }
    }

    /// Class 4: a weights file whose groups form a cycle is exit 3 within seconds.
    func testCyclicWeightsFileIsExit3() throws {
        let keras = CLI.root.appendingPathComponent("Fuzz/regressions/weights/cycle.keras").path
        let csv = try file("x.csv", "1,2,3\n")
        try expect(["predict", keras, "--input", csv], code: 3, "a cycle", seconds: 10)
    }
}

import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Issue 13, classes 1 and 2: sizes from specs and Keras configs are checked (overflow,
/// memory budget) before memory is touched; `validate`/`summary` builds allocate no weights.
final class HostileSizeTests: XCTestCase {
    var savedBudget = 0

    override func setUp() { savedBudget = MemoryBudget.bytes; MemoryBudget.bytes = 1 << 30 }
    override func tearDown() { MemoryBudget.bytes = savedBudget }

    /// Builds `yaml` and returns the one-line error text.
    func buildError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let spec = try Spec.parse(text: yaml, file: "h.yaml")
            _ = try ModelBuilder.build(spec)
            XCTFail("built without an error", file: file, line: line)
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertTrue(error is SpecError, "\(type(of: error)): \(text)", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), file: file, line: line)
            return text
        }
    }

    func spec(units: String, input: String = "[784]", extra: String = "") -> String {
        "model:\n  input_shape: \(input)\n  layers:\n\(extra)    - Dense: \(units)\n"
    }

    /// Class 1: a model over the budget is one located error, before any allocation.
    func testUnitsOverTheBudgetIsOneLocatedErrorWithoutAllocating() {
        let before = residentBytes()
        let text = buildError(spec(units: "100000000"))
        XCTAssertTrue(text.hasPrefix("h.yaml:4:7: model.layers[0] (Dense): its weights of shape [784, 100000000]"), text)
        XCTAssertTrue(text.contains("over the memory limit of 1.0 GB"), text)
        XCTAssertLessThan(residentBytes() - before, 100 << 20, "no weight was allocated")
    }

    /// Class 1: 1e13 units (as a float literal or an integer) is rejected at its line.
    func testUnitsOf1e13AreRejected() {
        XCTAssertTrue(buildError(spec(units: "10000000000000")).contains("h.yaml:4:14:"))
    }

    /// Class 2: Int.max units no longer wrap: the value is rejected at its line.
    func testUnitsOfIntMaxAreRejectedAtTheirLine() {
        let text = buildError(spec(units: "9223372036854775807"))
        XCTAssertEqual(text, "h.yaml:4:14: model.layers[0] (Dense): units must be a positive integer, got 9223372036854775807 (too large: at most 2147483647)")
    }

    /// Class 2: an input shape of [Int.max] is rejected at its line.
    func testInputShapeOfIntMaxIsRejected() {
        let text = buildError(spec(units: "10", input: "[9223372036854775807]"))
        XCTAssertTrue(text.hasPrefix("h.yaml:2:17:"), text)
        XCTAssertTrue(text.contains("too large"), text)
    }

    /// Class 2: dimensions that each pass but whose product overflows are caught (the
    /// message never shows a wrapped negative size).
    func testShapeWhoseElementCountOverflowsIsLocated() {
        let text = buildError(spec(units: "10", input: "[2147483647, 2147483647, 2147483647]", extra: "    - Flatten\n"))
        XCTAssertTrue(text.contains("more than 9 EB"), text)
        XCTAssertFalse(text.contains("-"), text)
    }

    /// Class 2: a layer whose output would wrap (Flatten of a large input, then a Dense)
    /// is an error at that layer.
    func testLargeActivationsAreCheckedPerLayer() {
        let text = buildError(spec(units: "4", input: "[65536, 65536]", extra: "    - Flatten\n"))
        XCTAssertTrue(text.contains("for a single example, over the memory limit"), text)
    }

    /// Class 2: Conv arguments beyond int32 are rejected where they are written.
    func testHugeKernelSizeIsRejected() {
        let text = buildError("model:\n  input_shape: [28, 28, 1]\n  layers:\n    - Conv2D: {filters: 4, kernel_size: 4294967296}\n")
        XCTAssertTrue(text.contains("too large"), text)
    }

    /// Keras JSON configs go through the same checks, located in the JSON.
    func testKerasJSONUnitsAreChecked() throws {
        let json = """
            {"class_name": "Sequential", "config": {"name": "s", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 784], "name": "in"}},
              {"class_name": "Dense", "config": {"name": "d", "units": 10000000000000}}]}}
            """
        do {
            let keras = try KerasJSON.parse(bytes: Array(json.utf8), file: "c.json")
            _ = try ModelBuilder.build(keras)
            XCTFail("built")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("c.json:3:"), "\(error)")
        }
    }

    /// validate/summary: a 3 GB model builds with stand-in weights in no memory, with the
    /// right parameter count.
    func testBuildWithoutValuesAllocatesNoWeights() throws {
        MemoryBudget.bytes = 8 << 30
        let spec = try Spec.parse(text: spec(units: "1000000"), file: "h.yaml")
        let before = residentBytes()
        let model = try WeightAllocation.withoutValues { try ModelBuilder.build(spec) }
        XCTAssertEqual(model.parameterCount, 785_000_000)
        XCTAssertLessThan(residentBytes() - before, 100 << 20, "no weight was allocated")
        XCTAssertTrue(model.summary().contains("785,000,000"))
    }

    /// Class 3: batch sizes are checked with overflow-safe arithmetic.
    func testBatchProblem() throws {
        let model = try ModelBuilder.build(try Spec.parse(text: spec(units: "10"), file: "h.yaml"))
        XCTAssertNil(MemoryBudget.batchProblem(model: model, batchSize: 32, training: false))
        XCTAssertNotNil(MemoryBudget.batchProblem(model: model, batchSize: 1 << 31, training: false))
        let text = MemoryBudget.batchProblem(model: model, batchSize: Int.max, training: true) ?? ""
        XCTAssertTrue(text.contains("more than 9 EB"), text)
    }

    func testMemoryLimitParsing() {
        XCTAssertEqual(MemoryBudget.parse("8G"), 8 << 30)
        XCTAssertEqual(MemoryBudget.parse("512m"), 512 << 20)
        XCTAssertEqual(MemoryBudget.parse("1.5G"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parse("123456"), 123456)
        XCTAssertEqual(MemoryBudget.parse("none"), Int.max)
        XCTAssertNil(MemoryBudget.parse("lots"))
        XCTAssertNil(MemoryBudget.parse("-5G"))
        XCTAssertNil(MemoryBudget.parse("1e30"))
    }

    func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * 4096
    }
}

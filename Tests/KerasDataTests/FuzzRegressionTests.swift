import Foundation
import XCTest
@testable import KerasData

/// Inputs the libFuzzer harnesses once crashed on (Fuzz/regressions/csv, idx), replayed
/// through the readers: each is read, or is one error of one line.
final class FuzzRegressionTests: XCTestCase {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")

    func inputs(_ harness: String) throws -> [URL] {
        let dir = Self.regressions.appendingPathComponent(harness)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { !$0.lastPathComponent.hasPrefix(".") }
    }

    func assertOneLine(_ body: () throws -> Void, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        do { try body() } catch {
            XCTAssertFalse("\(error)".contains("\n"), "\(name): \(error)", file: file, line: line)
        }
    }

    /// FuzzCSV: the first byte picks header/delimiter/target as in the harness.
    func testCSVRegressions() throws {
        let found = try inputs("csv")
        XCTAssertFalse(found.isEmpty)
        for url in found {
            let input = [UInt8](try Data(contentsOf: url))
            let mode = input.first ?? 0
            let path = TestFiles.write(Array(input.dropFirst()), name: "regression.csv")
            let header: Bool? = mode & 3 == 0 ? nil : mode & 3 == 1
            let delimiter: Character = mode & 4 == 0 ? "," : ";"
            let target: [CSVColumn] = mode & 8 == 0 ? [.index(Int(mode >> 4) % 4)] : ["species"]
            assertOneLine({ _ = try CSVReader.read(path, options: CSVOptions(header: header, delimiter: delimiter, target: target)) }, url.lastPathComponent)
            assertOneLine({
                let reader = try CSVBatchReader(path: path, header: header, delimiter: delimiter)
                while try reader.next(maxRows: 5) != nil {}
            }, url.lastPathComponent)
        }
    }

    /// FuzzIDX: each input read whole, as labels, by header and in batches.
    func testIDXRegressions() throws {
        let found = try inputs("idx")
        XCTAssertFalse(found.isEmpty)
        for url in found {
            let input = [UInt8](try Data(contentsOf: url))
            let path = TestFiles.write(input, name: "regression.idx")
            assertOneLine({ _ = try IDXReader.read(path) }, url.lastPathComponent)
            assertOneLine({ _ = try IDXReader.readLabels(path) }, url.lastPathComponent)
            assertOneLine({ _ = try IDXReader.readHeader(path) }, url.lastPathComponent)
            assertOneLine({
                let reader = try IDXBatchReader(path: path)
                while try reader.next(maxExamples: 7) != nil {}
            }, url.lastPathComponent)
        }
    }

    /// An IDX header with 0 examples whose example size overflows 64 bits: an error, not
    /// a trap (the example size was computed unchecked).
    func testZeroExamplesWithOverflowingExampleSize() {
        let path = TestFiles.write([0, 0, 0x0e, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], name: "zero-examples.idx")
        XCTAssertThrowsError(try IDXReader.read(path)) { error in
            XCTAssertTrue("\(error)".contains("overflows"), "\(error)")
        }
    }

    /// An IDX header [n, m, 0] whose n·m overflows before the 0: an error, not a trap.
    func testEmptyInnerDimensionIsAnError() {
        let path = TestFiles.write([0, 0, 0x0c, 3, 0xc6, 0x1f, 0x8b, 0x2e, 0xc6, 0xc6, 0xc6, 0x2e, 0, 0, 0, 0], name: "empty-dim.idx")
        XCTAssertThrowsError(try IDXReader.read(path)) { error in
            XCTAssertTrue("\(error)".contains("has an empty dimension"), "\(error)")
        }
    }

    /// A CSV header cell holding a line break: the error quoting it stays on one line.
    func testColumnNameWithLineBreakStaysOnOneLine() {
        let path = TestFiles.write("\"a\nb\",c\n1,x\n", name: "newline-header.csv")
        XCTAssertThrowsError(try CSVReader.read(path, options: CSVOptions(header: true, target: ["c"], features: ["zz"]))) { error in
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
    }
}

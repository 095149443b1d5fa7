import Foundation
import Testing
@testable import KerasData

/// Tables as users have them, and the seeded test split.
struct CSVTableTests {
    @Test func readsQuotedFieldsBOMAndCRLFWithNAValues() throws {
        let text = "\u{FEFF}\"name, full\",\"say \"\"hi\"\"\",n\r\n\"Smith, J\",\"a \"\"b\"\"\r\nc\",  NA \r\nLee,,3\r\n"
        let path = TestFiles.write(text, name: "users.csv")
        let t = try CSVTable(path: path, naValues: ["NA", ""])
        #expect(t.names == ["name, full", "say \"hi\"", "n"])
        #expect(t.rowCount == 2)
        #expect(t.cell(0, 0) == "Smith, J")
        #expect(t.rawCell(0, 1) == "a \"b\"\r\nc")
        #expect(t.cell(0, 2) == nil, "NA with spaces around is missing")
        #expect(t.cell(1, 1) == nil, "an empty cell is missing when \"\" is an na_value")
        #expect(try t.number(1, 2) == 3)
        #expect(t.line(1) == 4, "the quoted newline counts as a line")
        #expect(throws: DataError.self) { try t.number(0, 0) }
        do { _ = try t.number(0, 0) } catch let e as DataError {
            #expect(e.description.hasSuffix("users.csv:2:1 (name, full): expected a number, got 'Smith, J'"))
        }
    }

    @Test func raggedRowsAreLocated() throws {
        let path = TestFiles.write("a,b\n\"x, y\",1\n\"z\",2,3\n", name: "ragged.csv")
        do { _ = try CSVTable(path: path); Issue.record("no error") } catch let e as DataError {
            #expect(e.description.hasSuffix("ragged.csv:3: row has 3 fields, expected 2 as in the header"))
        }
    }

    /// The split another tool draws from the same seed (bench/keras_tables.py's Python
    /// SplitMix64 Fisher-Yates gave these).
    @Test func testSplitMatchesThePythonDraw() throws {
        let a = try TestSplit.split(Array(0..<10), fraction: 0.3, seed: 42)
        #expect(a.train == [1, 2, 3, 4, 6, 7, 8] && a.test == [0, 5, 9])
        let b = try TestSplit.split(Array(0..<344), fraction: 0.2, seed: 42)
        #expect(b.test.count == 69 && Array(b.test.prefix(10)) == [0, 4, 6, 7, 10, 14, 28, 31, 33, 39])
        let c = try TestSplit.split(Array(0..<7), fraction: 0.5, seed: 0)
        #expect(c.train == [0, 2, 4] && c.test == [1, 3, 5, 6])
    }

    /// Keras's Discretization.call is np.digitize: a value equal to a boundary goes right.
    @Test func binsAreDigitize() {
        let edges: [Float] = [1, 2, 3]
        #expect([0.5, 1, 1.5, 2, 3, 9].map { QuantileSummary.bin(Float($0), boundaries: edges) } == [0, 1, 1, 2, 3, 3])
    }
}

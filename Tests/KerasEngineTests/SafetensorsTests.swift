import Foundation
import XCTest
@testable import KerasEngine

/// safetensors against files written by the Python `safetensors` package
/// (`Fixtures/safetensors/gen_safetensors.py`), and every kind of damaged file.
final class SafetensorsTests: XCTestCase {
    private func fixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/safetensors/\(name)", withExtension: "safetensors"))
        return Array(try Data(contentsOf: url))
    }

    private var referenceTensors: [(String, Tensor)] {
        [("dense/bias", Tensor(shape: [2], data: [1.5, -2])),
         ("dense/kernel", Tensor(shape: [2, 3], data: [0, 0.25, 0.5, 0.75, 1, 1.25])),
         ("s", Tensor(3)),
         ("zz", Tensor(shape: [0, 4]))]
    }

    func testWriterIsByteIdenticalToPythonSafetensors() throws {
        let ours = try Safetensors.encode(referenceTensors, metadata: ["format": "kerasctl"])
        XCTAssertEqual(ours, try fixture("reference"))
        // The header length is 8-byte little-endian and the header is space-padded to 8 bytes.
        let n = Int(ours[0]) | Int(ours[1]) << 8
        XCTAssertEqual(ours[2..<8].allSatisfy { $0 == 0 }, true)
        XCTAssertEqual((8 + n) % 8, 0)
        XCTAssertEqual(String(decoding: ours[8..<(8 + n)], as: UTF8.self).prefix(60),
                       "{\"__metadata__\":{\"format\":\"kerasctl\"},\"dense/bias\":{\"dtype\":")
    }

    func testReadsPythonFile() throws {
        let c = try Safetensors.decode(try fixture("reference"), path: "reference.safetensors")
        XCTAssertEqual(c.metadata, ["format": "kerasctl"])
        XCTAssertEqual(c.tensors.map(\.0), referenceTensors.map(\.0))
        for ((_, got), (_, want)) in zip(c.tensors, referenceTensors) {
            XCTAssertEqual(got.shape, want.shape)
            XCTAssertEqual(got.scalars, want.scalars)
        }
    }

    func testRoundTripKeepsOrderAndBitsThroughAFile() throws {
        var r = RNG(seed: 9)
        let big = Tensor(shape: [17, 5], data: (0..<85).map { _ in Float(r.normal()) })
        let special = Tensor(shape: [4], data: [.nan, .infinity, -0.0, .leastNonzeroMagnitude])
        let tensors = [("z", big), ("a", special), ("m/é \"q\"\n", Tensor(7))]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).safetensors").path
        defer { unlink(path) }
        try Safetensors.write(tensors, metadata: ["k": "v", "a": "b\\c"], to: path)
        let c = try Safetensors.read(path)
        XCTAssertEqual(c.tensors.map(\.0), tensors.map(\.0))
        XCTAssertEqual(c.metadata, ["k": "v", "a": "b\\c"])
        for ((_, got), (_, want)) in zip(c.tensors, tensors) {
            XCTAssertEqual(got.shape, want.shape)
            XCTAssertEqual(got.scalars.map(\.bitPattern), want.scalars.map(\.bitPattern))
        }
        XCTAssertThrowsError(try Safetensors.encode([("a", Tensor(1)), ("a", Tensor(2))]))
    }

    /// Builds a file from a header string and `dataBytes` zero bytes.
    private func file(_ header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var n = (declaredLength ?? UInt64(h.count)).littleEndian
        return withUnsafeBytes(of: &n) { Array($0) } + h + [UInt8](repeating: 0, count: dataBytes)
    }

    private func assertCorrupt(_ bytes: [UInt8], _ expected: String, file f: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.decode(bytes, path: "w.safetensors"), file: f, line: line) { e in
            guard let p = e as? PersistenceError else { return XCTFail("not a PersistenceError: \(e)", file: f, line: line) }
            XCTAssertTrue(p.description.contains(expected), "\(p)", file: f, line: line)
            XCTAssertTrue(p.description.hasPrefix("w.safetensors: "), "\(p)", file: f, line: line)
        }
    }

    func testCorruptFilesGiveClearErrors() throws {
        let t = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        XCTAssertNoThrow(try Safetensors.decode(file(t, dataBytes: 8)))
        assertCorrupt([1, 2, 3], "too short")
        assertCorrupt(file(t, dataBytes: 8, declaredLength: 1 << 40), "exceeds")
        assertCorrupt(file(t, dataBytes: 8, declaredLength: UInt64.max), "exceeds")
        assertCorrupt(file(t, dataBytes: 4), "truncated")
        assertCorrupt(file(t, dataBytes: 12), "4 bytes after the last tensor")
        assertCorrupt(file("[1,2]", dataBytes: 0), "not a JSON object")
        assertCorrupt(file("{\"t\":", dataBytes: 0), "not valid JSON")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataBytes: 8), "shape [3] of F32 needs 12")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, dataBytes: 8), "bad data_offsets")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#, dataBytes: 8), "bad data_offsets")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0.5,8.5]}}"#, dataBytes: 8), "bad data_offsets")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, dataBytes: 8), "bad dimension")
        assertCorrupt(file(#"{"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, dataBytes: 8), "larger than the file")
        assertCorrupt(file(#"{"t":{"shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8), "no dtype")
        assertCorrupt(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8), "overlaps")
        assertCorrupt(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8), "gap of 4 bytes")
        assertCorrupt(file(#"{"__metadata__":{"a":1}}"#, dataBytes: 0), "not a string")
        XCTAssertThrowsError(try Safetensors.decode(try fixture("f16"), path: "f16.safetensors")) { e in
            XCTAssertEqual(e as? PersistenceError, .unsupportedDType(path: "f16.safetensors", tensor: "h", dtype: "F16"))
            XCTAssertEqual("\(e)", "f16.safetensors: tensor 'h' has dtype F16; only F32 is supported")
        }
    }

    func testEveryTruncationAndByteFlipFailsCleanly() throws {
        let good = try fixture("reference")
        for n in 0..<good.count {
            XCTAssertThrowsError(try Safetensors.decode(Array(good[..<n])), "truncated to \(n) bytes")
        }
        var r = RNG(seed: 3)
        for _ in 0..<300 {  // must never trap: either an error or some decoded tensors
            var b = good
            b[Int(r.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: r.next())
            _ = try? Safetensors.decode(b)
        }
    }

    func testMissingFileIsAnIOError() {
        XCTAssertThrowsError(try Safetensors.read("/nonexistent/w.safetensors")) { e in
            XCTAssertEqual("\(e)", "/nonexistent/w.safetensors: cannot open: No such file or directory")
        }
    }
}

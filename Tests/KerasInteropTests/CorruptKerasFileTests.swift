import Foundation
import XCTest
import KerasSpec
@testable import KerasInterop

/// Broken Keras files fail with one clear line naming the file, never a trap.
final class CorruptKerasFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: KerasModelFixtures.path(name))))
    }

    /// Writes `bytes` as `name` and asserts loading it throws a KerasFileError containing `fragment`.
    func assertFails(_ bytes: [UInt8], _ fragment: String, name: String = "bad.keras",
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try KerasFile.load(path: path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is KerasFileError, "\(type(of: error)): \(text)", file: file, line: line)
            XCTAssertTrue(text.contains(fragment), text, file: file, line: line)
            XCTAssertTrue(text.hasPrefix(path), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        }
    }

    /// A zip of the given members.
    func zip(_ members: [(String, [UInt8])]) -> [UInt8] {
        var w = ZipWriter()
        for (n, d) in members { w.add(n, d) }
        return w.finish()
    }

    func members(_ name: String) throws -> [String: [UInt8]] {
        let z = try ZipArchive(bytes: fixture(name), file: name)
        var out: [String: [UInt8]] = [:]
        for m in z.members { out[m.name] = try z.read(m) }
        return out
    }

    func testTruncatedArchive() throws {
        let bytes = try fixture("residual.keras")
        try assertFails(Array(bytes.prefix(bytes.count / 2)), "not a valid zip archive")
    }

    func testGarbage() throws {
        try assertFails(Array("this is not a model\n".utf8), "not a Keras model file")
        try assertFails([0x50, 0x4b, 0x03, 0x04, 1, 2, 3], "not a valid zip archive")
        try assertFails([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0], "not a readable HDF5 file", name: "bad.h5")
    }

    func testMissingFile() throws {
        XCTAssertThrowsError(try KerasFile.load(path: folder.appendingPathComponent("nope.keras").path)) { e in
            XCTAssertTrue("\(e)".contains("no such file"), "\(e)")
        }
    }

    func testMissingMembers() throws {
        let m = try members("residual.keras")
        try assertFails(zip([("metadata.json", m["metadata.json"]!), ("config.json", m["config.json"]!)]), "has no model.weights.h5")
        try assertFails(zip([("model.weights.h5", m["model.weights.h5"]!)]), "has no config.json")
    }

    func testCorruptMember() throws {
        let m = try members("residual.keras")
        var bytes = zip([("config.json", m["config.json"]!), ("model.weights.h5", m["model.weights.h5"]!)])
        // Flip bytes inside the stored weights member: its CRC no longer matches.
        let offset = bytes.count / 2
        for i in offset..<(offset + 64) { bytes[i] ^= 0x5a }
        try assertFails(bytes, "CRC mismatch")
        try assertFails(zip([("config.json", m["config.json"]!), ("model.weights.h5", Array("junk".utf8))]), "not an HDF5 file")
    }

    func testWeightsThatDisagreeWithTheConfig() throws {
        let residual = try members("residual.keras")
        let siamese = try members("siamese.keras")
        try assertFails(zip([("config.json", residual["config.json"]!), ("model.weights.h5", siamese["model.weights.h5"]!)]),
                        "the weights file has shapes [(4, 6), (6,)], the model config needs [(6, 8), (8,)]")
    }

    func testWeightsForMissingLayer() throws {
        let residual = try members("residual.keras")
        let empty = try KerasExportTests.emptyWeights()
        try assertFails(zip([("config.json", residual["config.json"]!), ("model.weights.h5", empty)]), "no weights for layer 'h1' (Dense)")
    }

    func testUnsupportedLayerIsASpecErrorInTheArchive() throws {
        let m = try members("residual.keras")
        let config = String(decoding: m["config.json"]!, as: UTF8.self).replacingOccurrences(of: "\"Activation\"", with: "\"Swirl\"")
        let path = folder.appendingPathComponent("swirl.keras").path
        try Data(zip([("config.json", Array(config.utf8)), ("model.weights.h5", m["model.weights.h5"]!)])).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try KerasFile.load(path: path)) { error in
            guard let e = error as? SpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, path + "/config.json")
            XCTAssertNotNil(e.line)
            XCTAssertTrue(e.message.contains("unknown layer 'Swirl'"), e.description)
        }
    }
}

extension KerasExportTests {
    /// An HDF5 file with only the groups Keras always writes.
    static func emptyWeights() throws -> [UInt8] {
        let h5 = try HDF5File.create(name: "empty.h5")
        try h5.createGroup("/layers")
        try h5.createGroup("/vars")
        return try h5.image()
    }
}

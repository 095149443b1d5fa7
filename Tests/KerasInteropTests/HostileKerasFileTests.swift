import CHDF5
import Foundation
import XCTest
import KerasBuilder
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// Issue 13, classes 2, 4, 5 and 6 for Keras files: weight files whose groups form a
/// cycle, weights that disagree with the model, libhdf5 spinning or crashing on a
/// corrupt file (contained in a child process), and a compile_config that does not build.
final class HostileKerasFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// A `.keras` archive of a one-Dense model (3 → 2) whose model.weights.h5 is made by
    /// `weights` (given the file and the layer group `/layers/dense`).
    static func archive(compileLoss: String? = nil, weights: (HDF5File) throws -> Void) throws -> [UInt8] {
        let spec = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - Dense: 2\n", file: "t.yaml")
        let model = try ModelBuilder.build(spec)
        let exported = try ZipArchive(bytes: KerasExport.archive(model: model, spec: spec.model, name: "t"), file: "t.keras")
        var config = try exported.read(exported.member("config.json")!)
        if let compileLoss {
            var json = try JSONSerialization.jsonObject(with: Data(config)) as! [String: Any]
            json["compile_config"] = ["loss": compileLoss, "optimizer": "adam"]
            config = [UInt8](try JSONSerialization.data(withJSONObject: json))
        }
        let h5 = try HDF5File.create(name: "model.weights.h5")
        try h5.createGroup("/layers")
        try h5.createGroup("/vars")
        try h5.createGroup("/layers/dense")
        try h5.createGroup("/layers/dense/vars")
        try weights(h5)
        var w = ZipWriter()
        w.add("metadata.json", try exported.read(exported.member("metadata.json")!))
        w.add("config.json", config)
        w.add("model.weights.h5", try h5.image())
        return w.finish()
    }

    func write(_ bytes: [UInt8], _ name: String = "m.keras") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if let out = ProcessInfo.processInfo.environment["HOSTILE_FIXTURES_OUT"] {
            try? Data(bytes).write(to: URL(fileURLWithPath: out).appendingPathComponent(name))
        }
        return path
    }

    func assertFails(_ path: String, _ fragment: String, within seconds: Double = 15,
                     file: StaticString = #filePath, line: UInt = #line) {
        let start = Date()
        XCTAssertThrowsError(try KerasFile.load(path: path), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(fragment), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds, file: file, line: line)
    }

    func testTheGeneratedArchiveLoads() throws {
        let path = try write(try Self.archive { h5 in
            try h5.writeFloats("/layers/dense/vars/0", shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
        }, "ok.keras")
        let loaded = try KerasFile.load(path: path)
        XCTAssertEqual(loaded.model.parameters.map(\.value.scalars), [[1, 2, 3, 4, 5, 6], [7, 8]])
    }

    /// Class 4: a group linking back to an ancestor is an error, not endless recursion.
    func testWeightGroupCycleIsAnErrorNotAHang() throws {
        let path = try write(try Self.archive { h5 in
            try h5.writeFloats("/layers/dense/vars/0", shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
            XCTAssertGreaterThanOrEqual(H5Lcreate_hard(h5.id, "/layers", h5.id, "/layers/dense/loop", chdf5_p_default(), chdf5_p_default()), 0)
        }, "cycle.keras")
        assertFails(path, "links back to a group already read (a cycle")
    }

    /// Every weight is checked against the model before a byte is read: the message names
    /// the layer and both shapes.
    func testWeightShapeMismatchNamesLayerAndBothShapes() throws {
        let path = try write(try Self.archive { h5 in
            try h5.writeFloats("/layers/dense/vars/0", shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
        }, "mismatch.keras")
        assertFails(path, "layer 'dense' (Dense): the weights file has shapes [(2, 3), (2,)], the model config needs [(3, 2), (2,)]")
    }

    /// A dataset declaring an absurd shape (never written, so the file stays small) is
    /// rejected from its header, with no allocation of its declared size.
    func testAbsurdDeclaredDatasetShapeIsRejectedFromItsHeader() throws {
        let path = try write(try Self.archive { h5 in
            let dims: [hsize_t] = [1 << 40, 1 << 40]
            let space = H5Screate_simple(2, dims, nil)
            defer { H5Sclose(space) }
            let d = H5Dcreate2(h5.id, "/layers/dense/vars/0", chdf5_ieee_f32le(), space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            XCTAssertGreaterThanOrEqual(d, 0)
            H5Dclose(d)
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
        }, "absurd-shape.keras")
        assertFails(path, "impossible shape")
    }

    /// A weight stored as strings is a dtype error naming the dataset (integers are read
    /// as floats: Keras stores Normalization's count as int64).
    func testStringWeightIsADtypeError() throws {
        let path = try write(try Self.archive { h5 in
            let dims: [hsize_t] = [3, 2]
            let space = H5Screate_simple(2, dims, nil)
            defer { H5Sclose(space) }
            let d = H5Dcreate2(h5.id, "/layers/dense/vars/0", chdf5_c_s1(), space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            XCTAssertGreaterThanOrEqual(d, 0)
            H5Dclose(d)
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
        }, "string-weights.keras")
        assertFails(path, "dataset /layers/dense/vars/0 does not hold numbers")
    }

    /// Class 5: libhdf5 spinning forever on a corrupt file ends at the child's CPU limit.
    func testSpinningReaderIsStoppedByItsCPULimit() throws {
        let start = Date()
        XCTAssertThrowsError(try HDF5Sandbox.run(file: "spin.h5", fileBytes: 0, sharedBytes: 0, cpuLimit: 1, body: { _ in
            var x = 0
            while true { x &+= 1; if x == -1 { break } }
            return []
        }, finish: { _, _ in 0 })) { error in
            XCTAssertEqual("\(error)", "spin.h5: corrupt HDF5 file: reading it did not finish within 1 s of CPU time")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// Class 5: libhdf5 dereferencing NULL on a damaged header is one error, not a crash.
    func testCrashingReaderIsOneError() throws {
        XCTAssertThrowsError(try HDF5Sandbox.run(file: "crash.h5", fileBytes: 0, sharedBytes: 0, body: { _ in
            raise(SIGSEGV)
            return []
        }, finish: { _, _ in 0 })) { error in
            XCTAssertEqual("\(error)", "crash.h5: corrupt HDF5 file: the HDF5 library failed on it (signal 11)")
        }
    }

    /// The child's answer and the shared buffer reach the parent.
    func testSandboxReturnsMessageAndSharedData() throws {
        let (message, sum) = try HDF5Sandbox.run(file: "x", fileBytes: 0, sharedBytes: 16, body: { buffer in
            buffer.storeBytes(of: 42, toByteOffset: 8, as: Int64.self)
            return [1, 2, 3]
        }, finish: { message, buffer in (message, buffer.load(fromByteOffset: 8, as: Int64.self)) })
        XCTAssertEqual(message, [1, 2, 3])
        XCTAssertEqual(sum, 42)
    }

    /// Class 6: a compile_config loss kerasctl cannot build is a located spec error when
    /// the file is opened (so summary and predict agree), in the file, not in a spec.yaml.
    func testBadCompileConfigLossIsALocatedSpecError() throws {
        let path = try write(try Self.archive(compileLoss: "no_such_loss") { h5 in
            try h5.writeFloats("/layers/dense/vars/0", shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
            try h5.writeFloats("/layers/dense/vars/1", shape: [2], data: [7, 8])
        }, "bad-loss.keras")
        for weights in [true, false] {
            XCTAssertThrowsError(try KerasFile.load(path: path, weights: weights)) { error in
                XCTAssertTrue(error is SpecError, "\(type(of: error)): \(error)")
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path + "/config.json:"), text)
                XCTAssertTrue(text.contains("no_such_loss"), text)
                XCTAssertFalse(text.contains("spec.yaml"), text)
            }
        }
    }

    /// A zip member declaring 4 GB of deflated content from a few bytes is rejected from
    /// its header, before anything is allocated.
    func testZipMemberDeclaringAbsurdSizeIsRejectedBeforeAllocation() throws {
        var w = ZipWriter()
        w.add("config.json", Array("{}".utf8))
        var bytes = w.finish()
        let central = (0..<(bytes.count - 4)).first { bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4b && bytes[$0 + 2] == 1 && bytes[$0 + 3] == 2 }!
        bytes[central + 10] = 8                                   // method: deflate
        for k in 0..<4 { bytes[central + 24 + k] = 0xF0 | 0x0F }  // size: 0xFFFFFFFF
        let path = try write(bytes, "zip-bomb-header.keras")
        assertFails(path, "more than deflate can produce", within: 5)
    }

    /// Class 2: a `.keras` whose config declares an absurd batch_shape (each dimension
    /// within int32, the product far over the memory limit, or over 2^63) is a located
    /// config error, exit 2, before anything is allocated.
    func testAbsurdBatchShapeInConfigIsLocated() throws {
        for dims in ["2147483647, 2147483647, 2147483647", "9223372036854775807"] {
            let config = """
                {"class_name": "Sequential", "config": {"name": "s", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_shape": [null, \(dims)], "name": "in"}},
                  {"class_name": "Flatten", "config": {"name": "f"}},
                  {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
                """
            var w = ZipWriter()
            w.add("config.json", Array(config.utf8))
            let path = try write(w.finish(), "batch-shape.keras")
            let start = Date()
            XCTAssertThrowsError(try KerasFile.load(path: path)) { error in
                XCTAssertTrue(error is SpecError, "\(type(of: error)): \(error)")
                XCTAssertTrue("\(error)".hasPrefix(path + "/config.json:"), "\(error)")
                XCTAssertFalse("\(error)".contains("(None, -"), "no wrapped size: \(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        }
    }

    /// Class 6: a JSON syntax error in config.json says JSON, with a line and column.
    func testConfigJSONSyntaxErrorSaysJSON() throws {
        var w = ZipWriter()
        w.add("config.json", Array("{\"class_name\": \"Sequential\",\n \"config\": [1, 2\n".utf8))
        let path = try write(w.finish(), "bad-json.keras")
        XCTAssertThrowsError(try KerasFile.load(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is KerasFileError, "damage, exit 3: \(type(of: error))")
            XCTAssertTrue(text.hasPrefix(path + "/config.json:3:1: JSON syntax error"), text)
            XCTAssertTrue(text.contains("JSON syntax error"), text)
            XCTAssertFalse(text.contains("YAML"), text)
        }
    }
}

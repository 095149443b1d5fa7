import Foundation
import KerasEngine
import XCTest

/// Runs the built `kerasctl` (KERASCTL_BIN, or the debug build next to the tests).
enum CLI {
    struct Result { var code: Int32; var stdout: String; var stderr: String }

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["KERASCTL_BIN"], !b.isEmpty { return b }
        // .build/<triple>/debug/kerasctlPackageTests.xctest → .build/<triple>/debug/kerasctl
        // (on Linux the bundle URL is already the debug folder).
        let bundle = Bundle.main.bundleURL
        let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return folder.appendingPathComponent("kerasctl").path
    }

    /// True when the release binary is in use (long trainings only run then).
    static var isRelease: Bool { ProcessInfo.processInfo.environment["KERASCTL_BIN"] != nil }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tests' environment, with the BLAS kernels this test process runs on: kerasctl
    /// replaces OpenBLAS's generic fallback kernels by Haswell's at start-up, and tests that
    /// compare its output bit for bit with an in-process model need both on the same kernels.
    static var baseEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if env["OPENBLAS_CORETYPE"] == nil { env["OPENBLAS_CORETYPE"] = BLASInfo.kernels }
        return env
    }

    @discardableResult
    static func run(_ args: [String], stdin: Data? = nil, cwd: URL = root, executable: String = binary,
                    environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = baseEnvironment.merging(environment) { _, new in new }
        p.currentDirectoryURL = cwd
        let tmp = try tempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("out"), errURL = tmp.appendingPathComponent("err"), inURL = tmp.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out; p.standardError = err
        p.standardInput = try FileHandle(forReadingFrom: inURL)
        try p.run()
        p.waitUntilExit()
        try out.close(); try err.close()
        let o = try Data(contentsOf: outURL), e = try Data(contentsOf: errURL)
        return Result(code: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// A fresh temporary folder.
    /// Trains one of the repository's Fashion-MNIST specs with the release binary, checks
    /// it ran `epochs` epochs, and returns its test accuracy (from --metrics-out). Skips
    /// with the debug binary or without the Debian data set.
    static func fashionTestAccuracy(spec: String, epochs: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        guard isRelease else { throw XCTSkip("runs with the release binary (make test sets KERASCTL_BIN)") }
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let metrics = dir.appendingPathComponent("m.jsonl").path
        let r = try run(["train", spec, "--quiet", "--metrics-out", metrics, "-o", dir.appendingPathComponent("model").path])
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        let lines = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, epochs + 1, "\(epochs) epoch lines and the test line", file: file, line: line)
        let test = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
        let accuracy = try XCTUnwrap(test?["test_accuracy"] as? Double, file: file, line: line)
        print("\(spec) test accuracy: \(accuracy)")
        return accuracy
    }

    static func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("kerasctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Asserts the run failed with `code` and exactly one stderr line containing `fragment`.
    static func assertFails(_ r: Result, code: Int32, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.code, code, "stderr: \(r.stderr)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 1, "expected one error line, got: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "stderr '\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), file: file, line: line)
    }
}

/// A test case with a fresh temporary folder per test (`dir`, removed afterwards) and a
/// way to write a text file into it.
class TempDirTestCase: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try CLI.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Writes `text` to `dir/name` and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }
}

import Foundation
import XCTest

/// Real Fashion-MNIST: the 10,000 test images predicted from standard input (gzip IDX
/// bytes), with the throughput printed. Release binary only (KERASCTL_BIN).
final class FashionPredictTests: XCTestCase {
    let folder = "/usr/share/datasets/fashion-mnist"

    func testPredictTenThousandTestImagesFromStdin() throws {
        try XCTSkipUnless(CLI.isRelease, "needs the release binary (KERASCTL_BIN)")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "\(folder)/t10k-images-idx3-ubyte.gz"), "Fashion-MNIST not installed")
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("mlp").path
        try Fixtures.train("specs/fashion_mlp.yaml", model, ["--epochs", "1"])

        let images = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/t10k-images-idx3-ubyte.gz"))
        for batch in ["32", "256"] {
            let start = Date()
            let r = try CLI.run(["predict", model, "--input", "-", "--input-format", "idx", "--batch-size", batch], stdin: images)
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(r.code, 0, r.stderr)
            let lines = r.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, 10_000)
            print("predict throughput (batch \(batch), whole process incl. model load and gunzip): \(Int(10_000 / seconds)) examples/s (\(String(format: "%.3f", seconds)) s)")

            // Its accuracy is evaluate's.
            let metrics = dir.appendingPathComponent("m.jsonl").path
            let e = try CLI.run(["evaluate", model, "--quiet", "--metrics-out", metrics])
            XCTAssertEqual(e.code, 0, e.stderr)
            let line = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as! [String: Any]
            let truth = try gunzipLabels("\(folder)/t10k-labels-idx1-ubyte.gz")
            let hits = zip(lines, truth).filter { Int($0) == Int($1) }.count
            XCTAssertEqual(Double(hits) / 10_000, try XCTUnwrap(line["test_accuracy"] as? Double), accuracy: 1e-6)
        }
    }

    /// The label bytes of a gzip IDX label file (through the system gzip).
    func gunzipLabels(_ path: String) throws -> [UInt8] {
        let p = Process(), pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", path]
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](data.dropFirst(8))
    }
}

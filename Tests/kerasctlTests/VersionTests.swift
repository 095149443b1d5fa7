import Foundation
import XCTest

/// `kerasctl --version`: the version from debian/changelog, the commit, the BLAS in use.
final class VersionTests: XCTestCase {
    func testVersionNamesReleaseCommitAndBLAS() throws {
        let r = try CLI.run(["--version"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, r.stdout)
        let changelog = try String(contentsOf: CLI.root.appendingPathComponent("debian/changelog"), encoding: .utf8)
        let version = try XCTUnwrap(changelog.split(separator: "(").dropFirst().first?.split(separator: ")").first)
        XCTAssertEqual(lines.first, "kerasctl \(version)")
        XCTAssertTrue(lines.count > 1 && lines[1].range(of: #"^commit [0-9a-f]{12}(-dirty)?$"#, options: .regularExpression) != nil, r.stdout)
        XCTAssertTrue(lines.last?.hasPrefix("BLAS: OpenBLAS ") == true, r.stdout)
        XCTAssertTrue(lines.last?.contains("; kernels: ") == true, r.stdout)
    }

    /// Where OpenBLAS 0.3.21 does not know the CPU it falls back to its generic Prescott
    /// kernels; kerasctl re-executes itself with Haswell's when the CPU has AVX2 and FMA, and
    /// leaves a user's OPENBLAS_CORETYPE alone.
    func testGenericBLASKernelsAreReplacedOnAnAVX2CPU() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = nil
        env["OPENBLAS_L2_SIZE"] = nil
        let auto = try versionBLASLine(env: env)
        if flags.contains("avx2") && flags.contains("fma") {
            XCTAssertFalse(auto.contains("kernels: Prescott"), auto)
        }
        env["OPENBLAS_CORETYPE"] = "Prescott"
        XCTAssertTrue(try versionBLASLine(env: env).hasSuffix("kernels: Prescott (OPENBLAS_CORETYPE=Prescott)"))
    }

    private func versionBLASLine(env: [String: String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["--version"]
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    }
}

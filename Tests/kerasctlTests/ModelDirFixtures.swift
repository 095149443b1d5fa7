import Foundation
import XCTest

/// Small data sets and trained model directories for the predict/evaluate/resume tests.
enum Fixtures {
    /// Writes an IDX file of unsigned bytes.
    static func writeIDX(_ path: String, shape: [Int], bytes: [UInt8]) throws {
        var out: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        for d in shape { out += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        out += bytes
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    /// A deterministic pseudo-random stream (LCG), so fixtures are the same on every run.
    struct LCG {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
    }

    /// `count` examples of `side`×`side` byte images in `classes` classes: each class
    /// lights its own band of rows, plus noise. Returns (images, labels).
    static func images(count: Int, side: Int, classes: Int, seed: UInt64) -> ([UInt8], [UInt8]) {
        var rng = LCG(state: seed)
        var x = [UInt8](repeating: 0, count: count * side * side), y = [UInt8](repeating: 0, count: count)
        let band = max(1, side / classes)
        for i in 0..<count {
            let c = Int(rng.next() % UInt64(classes))
            y[i] = UInt8(c)
            for r in 0..<side {
                for col in 0..<side {
                    let lit = r / band == c
                    let noise = Int(rng.next() % 160)
                    x[(i * side + r) * side + col] = UInt8(min(255, (lit ? 95 : 0) + noise))
                }
            }
        }
        return (x, y)
    }

    /// Writes train and test IDX files into `dir` and a spec using them; returns the spec path.
    /// `extra` is appended to the spec (e.g. a `fit:` section).
    static func idxSpec(in dir: URL, train: Int = 600, test: Int = 200, side: Int = 8, classes: Int = 4,
                        hidden: Int = 32, dropout: Bool = false, fit: String = "fit: {epochs: 3, batch_size: 32}") throws -> String {
        let (xt, yt) = images(count: train, side: side, classes: classes, seed: 1)
        let (xs, ys) = images(count: test, side: side, classes: classes, seed: 2)
        let p = { (n: String) in dir.appendingPathComponent(n).path }
        try writeIDX(p("train-x.idx"), shape: [train, side, side], bytes: xt)
        try writeIDX(p("train-y.idx"), shape: [train], bytes: yt)
        try writeIDX(p("test-x.idx"), shape: [test, side, side], bytes: xs)
        try writeIDX(p("test-y.idx"), shape: [test], bytes: ys)
        let spec = """
        name: bands
        seed: 5
        data:
          train: {format: idx, x: train-x.idx, y: train-y.idx}
          test: {format: idx, x: test-x.idx, y: test-y.idx}
          preprocess: {rescale: 0.00392156862745098, reshape: [\(side * side)]}
        model:
          layers:
            - Dense: {units: \(hidden), activation: relu}
        \(dropout ? "    - Dropout: 0.3\n" : "")    - Dense: {units: \(classes), activation: softmax}
        compile:
          optimizer: {Adam: {learning_rate: 0.003}}
          loss: sparse_categorical_crossentropy
          metrics: [accuracy]
        \(fit)

        """
        let path = p("bands.yaml")
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Trains `spec` into `out` quietly and asserts success.
    static func train(_ spec: String, _ out: String, _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(["train", spec, "-o", out, "--quiet"] + extra)
        XCTAssertEqual(r.code, 0, "train failed: \(r.stderr)", file: file, line: line)
    }

    /// Every file below `dir` with its bytes (to check nothing was changed).
    static func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            let full = (dir as NSString).appendingPathComponent(f)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[f] = FileManager.default.contents(atPath: full)
            }
        }
        return out
    }

    /// The manifest of a model directory as JSON, or nil.
    static func manifest(_ dir: String) -> [String: Any]? {
        guard let d = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("model.json")) else { return nil }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    /// The current checkpoint's file `name`.
    static func checkpointFile(_ dir: String, _ name: String) -> Data? {
        guard let ck = manifest(dir)?["checkpoint"] as? String else { return nil }
        return FileManager.default.contents(atPath: "\(dir)/\(ck)/\(name)")
    }

    /// Starts kerasctl without waiting; output goes to files in `dir`.
    static func start(_ args: [String], logs dir: URL, executable: String = CLI.binary,
                      environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = CLI.root
        p.environment = CLI.baseEnvironment.merging(environment) { _, new in new }
        let out = dir.appendingPathComponent("bg.out"), err = dir.appendingPathComponent("bg.err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits until `condition` holds (polling), failing after `timeout` seconds.
    static func wait(timeout: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    /// Parses csv prediction lines into rows of Floats.
    static func floats(_ text: String) -> [[Float]] {
        text.split(separator: "\n").map { $0.split(separator: ",").map { Float(String($0)) ?? .nan } }
    }
}

import Foundation
import KerasEngine
import SwiftProtobuf
import XCTest
@testable import KerasTensorBoard

/// The TensorBoard callback's files read back by TensorBoard's own EventAccumulator
/// (Fixtures/read_events.py), with the interpreter named by KERAS_PYTHON, the repository's
/// .venv-keras (`make keras-venv`), or python3; skipped when none imports tensorboard.
final class TensorBoardCallbackTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A small classifier trained 3 epochs of 4 batches with validation data.
    func train(_ config: TensorBoard.Config, modelJSON: String? = nil) throws -> (Model, History) {
        let n = 64
        var x = Tensor(shape: [n, 2]), y = Tensor(shape: [n])
        for i in 0..<n {
            let c = i % 2
            y[flat: i] = Float(c)
            x[flat: 2 * i] = Float(i % 7) / 7 + (c == 0 ? -1 : 1)
            x[flat: 2 * i + 1] = Float(i % 5) / 5 + (c == 0 ? 1 : -1)
        }
        let model = Sequential(layers: [Dense(units: 4, activation: .relu(), name: "hidden"), Dense(units: 2, activation: .softmax(), name: "probs")])
        try model.build(inputShapes: [[2]], seed: 3)
        model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
                      losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
        let data = Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])
        let tb = try TensorBoard(config)
        tb.modelJSON = modelJSON
        let history = try model.fit(data, validation: data, options: FitOptions(epochs: 3, batchSize: 16, seed: 1), callbacks: [tb])
        return (model, history)
    }

    func testEventFilesHoldOneFileVersionThenSummaries() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = TensorBoard.Config(); c.logDir = dir.path
        _ = try train(c)
        for run in ["train", "validation"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(run).path)
            XCTAssertEqual(files.count, 1, run)
            let name = try XCTUnwrap(files.first)
            XCTAssertTrue(name.hasPrefix("events.out.tfevents.") && name.hasSuffix(".v2"), name)
            // Every record's two CRCs check; the first event is the file version.
            var bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(run).appendingPathComponent(name)))
            var events: [Tensorboard_Event] = []
            while !bytes.isEmpty {
                XCTAssertGreaterThanOrEqual(bytes.count, 16)
                let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                let data = Array(bytes[12..<(12 + length)])
                XCTAssertEqual(TFRecord.frame(data), Array(bytes[0..<(16 + length)]))
                events.append(try Tensorboard_Event(serializedBytes: data))
                bytes.removeFirst(16 + length)
            }
            XCTAssertEqual(events.first?.fileVersion, "brain.Event:2")
            XCTAssertTrue(events.dropFirst().allSatisfy { $0.summary.value.count == 1 }, run)
        }
    }

    func testTensorBoardReadsWhatKerasWrites() throws {
        guard let python = Self.pythonWithTensorBoard() else { throw XCTSkip("no Python with tensorboard (make keras-venv, or KERAS_PYTHON)") }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = TensorBoard.Config(); c.logDir = dir.path; c.updateFreq = .batches(2); c.histogramFreq = 2
        let json = #"{"class_name": "Sequential", "config": {"name": "sequential"}}"#
        let (model, history) = try train(c, modelJSON: json)
        let script = Self.root.appendingPathComponent("Tests/KerasTensorBoardTests/Fixtures/read_events.py").path
        let (status, out, err) = try Self.run(python, [script, dir.path])
        XCTAssertEqual(status, 0, err)
        let runs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: [String: [String: Any]]])
        XCTAssertEqual(Set(runs.keys), ["train", "validation"])
        let train = try XCTUnwrap(runs["train"]), validation = try XCTUnwrap(runs["validation"])
        func events(_ run: [String: [String: Any]], _ tag: String) throws -> [[Any]] { try XCTUnwrap(run[tag]?["events"] as? [[Any]], tag) }
        // Keras's tags: epoch_* in train/ (with the learning rate), the val_ ones without
        // their prefix in validation/, batch_* every 2nd batch, histograms on epochs 0 and 2
        // under the weights' Keras paths (a Sequential model's name first), the model JSON.
        XCTAssertEqual(Set(train.keys), ["epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy", "keras",
                                         "sequential/hidden/kernel/histogram", "sequential/hidden/bias/histogram",
                                         "sequential/probs/kernel/histogram", "sequential/probs/bias/histogram"])
        XCTAssertEqual(train["keras"]?["plugin"] as? String, "graph_keras_model")
        XCTAssertEqual(try events(train, "keras").first?[1] as? String, json)
        XCTAssertEqual(try events(train, "keras").first?[0] as? Int, 0)
        XCTAssertEqual(Set(validation.keys), ["epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations", "evaluation_accuracy_vs_iterations"])
        for (key, run, tag) in [("loss", train, "epoch_loss"), ("accuracy", train, "epoch_accuracy"),
                                ("val_loss", validation, "epoch_loss"), ("val_accuracy", validation, "epoch_accuracy")] {
            let e = try events(run, tag)
            XCTAssertEqual(e.map { $0[0] as? Int }, [0, 1, 2], tag)
            XCTAssertEqual(run[tag]?["plugin"] as? String, "scalars")
            for (i, logs) in history.logs.enumerated() {
                // Stored as float32, as tf.summary.scalar does (compared as float32: the JSON
                // text of the value may parse to a neighbouring double).
                XCTAssertEqual((e[i][1] as? Double).map(Float.init), Float(logs[key]!), "\(tag) epoch \(i)")
            }
        }
        XCTAssertEqual(try events(train, "epoch_learning_rate").compactMap { ($0[1] as? Double).map(Float.init) }, [0.01, 0.01, 0.01])
        // 4 batches an epoch, 12 in all: steps 2, 4, ..., 12.
        XCTAssertEqual(try events(train, "batch_loss").map { $0[0] as? Int }, [2, 4, 6, 8, 10, 12])
        XCTAssertEqual(try events(validation, "evaluation_loss_vs_iterations").map { $0[0] as? Int }, [4, 8, 12])
        // The last histogram (epoch 2) is of the final weights: 30 buckets holding every value.
        let h = try events(train, "sequential/hidden/kernel/histogram")
        XCTAssertEqual(h.map { $0[0] as? Int }, [0, 2])
        XCTAssertEqual(train["sequential/hidden/kernel/histogram"]?["plugin"] as? String, "histograms")
        let buckets = try XCTUnwrap(h.last?[1] as? [[Double]])
        let kernel = try XCTUnwrap(model.layers.first?.parameters.first { $0.name == "hidden/kernel" }).value.scalars
        XCTAssertEqual(buckets.count, 30)
        XCTAssertEqual(buckets.reduce(0) { $0 + $1[2] }, Double(kernel.count))
        XCTAssertEqual(buckets.first?[0], Double(kernel.min()!))
        XCTAssertEqual(buckets.last?[1], Double(kernel.max()!))
    }

    func testBadArgumentsAreRefused() {
        var c = TensorBoard.Config(); c.updateFreq = .batches(0)
        XCTAssertThrowsError(try TensorBoard(c)) { XCTAssertTrue("\($0)".contains("update_freq"), "\($0)") }
        c = TensorBoard.Config(); c.histogramFreq = -1
        XCTAssertThrowsError(try TensorBoard(c)) { XCTAssertTrue("\($0)".contains("histogram_freq"), "\($0)") }
    }

    func testUnwritableLogDirFailsAtTheFirstEpoch() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        var c = TensorBoard.Config(); c.logDir = blocker.appendingPathComponent("logs").path
        XCTAssertThrowsError(try train(c)) { XCTAssertTrue($0 is PersistenceError, "\($0)") }
    }

    // MARK: helpers

    func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("kerasctl-tb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    static func pythonWithTensorBoard() -> String? {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["KERAS_PYTHON"], root.appendingPathComponent(".venv-keras/bin/python").path, "/usr/bin/python3"].compactMap { $0 }
        for p in candidates where FileManager.default.isExecutableFile(atPath: p) {
            if let r = try? run(p, ["-c", "import tensorboard"]), r.status == 0 { return p }
        }
        return nil
    }

    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

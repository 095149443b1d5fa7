import Foundation
import XCTest
@testable import KerasEngine

/// A metric that only has a name and a direction (drives `mode: auto` through `DirectedMetric`).
private final class NamedMetric: DirectedMetric {
    let name: String, direction: MetricDirection
    init(_ name: String, _ direction: MetricDirection) { self.name = name; self.direction = direction }
    func reset() {}
    func update(yTrue: Tensor, yPred: Tensor) {}
    func result() -> Double { 0 }
}

/// Keras's callbacks driven with scripted logs; expectations from real Keras
/// (`Fixtures/keras_reference/gen_callbacks.py` → `callbacks.json`).
final class CallbackTests: XCTestCase {
    /// A compiled Dense(1) model on 2 inputs with `accuracy` (by name table) and `mae` (DirectedMetric).
    static func tinyModel(lr: Float = 1) throws -> Model {
        let m = Sequential(layers: [Dense(units: 1, name: "dense")])
        try m.build(inputShapes: [[2]], seed: 1)
        m.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(lr)), losses: [nil],
                  metrics: [[SparseCategoricalAccuracy(name: "accuracy"), NamedMetric("mae", .down)]])
        return m
    }

    private func cases(_ callback: String) throws -> [[String: Any]] {
        try KerasReference.cases("callbacks").filter { $0["callback"] as? String == callback }
    }

    private func mode(_ kw: [String: Any]) -> MonitorMode { MonitorMode(rawValue: kw["mode"] as? String ?? "auto")! }

    func testEarlyStoppingMatchesKeras() throws {
        let all = try cases("EarlyStopping")
        XCTAssertEqual(all.count, 13)
        for c in all {
            let name = c["name"] as! String, kw = c["kwargs"] as! [String: Any]
            let key = c["monitor_key"] as! String, values = c["values"] as! [Double]
            let model = try Self.tinyModel()
            let cb = EarlyStopping(monitor: kw["monitor"] as? String ?? "val_loss", minDelta: kw["min_delta"] as? Double ?? 0,
                                   patience: kw["patience"] as? Int ?? 0, mode: mode(kw), baseline: kw["baseline"] as? Double,
                                   restoreBestWeights: kw["restore_best_weights"] as? Bool ?? false,
                                   startFromEpoch: kw["start_from_epoch"] as? Int ?? 0)
            cb.log = { _ in }
            cb.onTrainBegin(model: model)
            var ran = 0
            for (e, v) in values.enumerated() {
                for p in model.parameters { p.value = Tensor(shape: p.shape, repeating: Float(e)) }
                var logs = Logs([key: v, "loss": 1])
                try cb.onEpochEnd(e, logs: &logs, model: model)
                let want = (c["epochs"] as! [[String: Any]])[e]
                XCTAssertEqual(model.stopTraining, want["stop"] as! Bool, "\(name) epoch \(e) stop")
                XCTAssertEqual(cb.wait, want["wait"] as! Int, "\(name) epoch \(e) wait")
                XCTAssertEqual(cb.best, want["best"] as? Double, "\(name) epoch \(e) best")
                XCTAssertEqual(cb.bestEpoch, want["best_epoch"] as! Int, "\(name) epoch \(e) best_epoch")
                ran += 1
                if model.stopTraining { break }
            }
            XCTAssertEqual(ran, (c["epochs"] as! [Any]).count, "\(name): epochs run")
            cb.onTrainEnd(model: model, logs: Logs())
            XCTAssertEqual(cb.stoppedEpoch, c["stopped_epoch"] as! Int, name)
            XCTAssertEqual(Double(model.parameters[0].value[flat: 0]), c["final_weight"] as! Double, "\(name): weights after training")
        }
    }

    func testReduceLROnPlateauMatchesKeras() throws {
        let all = try cases("ReduceLROnPlateau")
        XCTAssertEqual(all.count, 7)
        for c in all {
            let name = c["name"] as! String, kw = c["kwargs"] as! [String: Any]
            let model = try Self.tinyModel(lr: Float(c["initial_lr"] as! Double))
            let cb = try ReduceLROnPlateau(monitor: kw["monitor"] as? String ?? "val_loss", factor: kw["factor"] as? Double ?? 0.1,
                                           patience: kw["patience"] as? Int ?? 10, mode: mode(kw),
                                           minDelta: kw["min_delta"] as? Double ?? 1e-4, cooldown: kw["cooldown"] as? Int ?? 0,
                                           minLR: kw["min_lr"] as? Double ?? 0)
            cb.onTrainBegin(model: model)
            for (e, v) in (c["values"] as! [Double]).enumerated() {
                var logs = Logs(["val_loss": v, "val_accuracy": v, "loss": 1])
                try cb.onEpochEnd(e, logs: &logs, model: model)
                let want = (c["epochs"] as! [[String: Any]])[e]
                // float32 values: compared as Float (Linux JSONSerialization may misround the last double digit).
                XCTAssertEqual(model.optimizer!.currentLearningRate, Float(want["lr"] as! Double), "\(name) epoch \(e) lr")
                XCTAssertEqual(logs["learning_rate"].map(Float.init), Float(want["logged_lr"] as! Double), "\(name) epoch \(e) logged lr")
                XCTAssertEqual(cb.wait, want["wait"] as! Int, "\(name) epoch \(e) wait")
                XCTAssertEqual(cb.cooldownCounter, want["cooldown_counter"] as! Int, "\(name) epoch \(e) cooldown")
                XCTAssertEqual(cb.best, want["best"] as? Double, "\(name) epoch \(e) best")
            }
        }
        XCTAssertThrowsError(try ReduceLROnPlateau(factor: 1.0))
    }

    func testModelCheckpointMatchesKeras() throws {
        let all = try cases("ModelCheckpoint")
        XCTAssertEqual(all.count, 5)
        for c in all {
            let name = c["name"] as! String, kw = c["kwargs"] as! [String: Any]
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
            let model = try Self.tinyModel()
            var saved: [String] = []
            let cb = try ModelCheckpoint(filepath: dir + "/" + (kw["filepath"] as! String), monitor: kw["monitor"] as? String ?? "val_loss",
                                         saveBestOnly: kw["save_best_only"] as? Bool ?? false, mode: mode(kw),
                                         initialValueThreshold: kw["initial_value_threshold"] as? Double) { _, path, _, _ in
                saved.append(String(path.dropFirst(dir.count + 1)))
            }
            cb.onTrainBegin(model: model)
            for (e, l) in (c["logs"] as! [[String: Double]]).enumerated() {
                cb.onEpochBegin(e, model: model)
                let before = saved.count
                var logs = Logs(l)
                try cb.onEpochEnd(e, logs: &logs, model: model)
                XCTAssertEqual(Array(saved[before...]), (c["saved"] as! [[String]])[e], "\(name) epoch \(e)")
            }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    func testModelCheckpointFormatErrorsAndBatchFrequency() throws {
        let model = try Self.tinyModel()
        let missing = try ModelCheckpoint(filepath: "/tmp/x-{val_acc:.2f}") { _, _, _, _ in }
        var logs = Logs(["val_loss": 1])
        XCTAssertThrowsError(try missing.onEpochEnd(0, logs: &logs, model: model)) { e in
            XCTAssertTrue("\(e)".contains("Reason: 'val_acc'"), "\(e)")
        }
        let unknown = try ModelCheckpoint(filepath: "/tmp/x", monitor: "val_foo") { _, _, _, _ in }
        XCTAssertThrowsError(try unknown.onEpochEnd(0, logs: &logs, model: model))  // auto mode cannot place val_foo
        XCTAssertThrowsError(try ModelCheckpoint(filepath: "x", saveFreq: .batches(0)) { _, _, _, _ in })

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckptb-\(UUID().uuidString)").path
        var saved: [String] = []
        let every3 = try ModelCheckpoint(filepath: dir + "/e{epoch}b{batch}", saveFreq: .batches(3)) { _, p, _, _ in saved.append(p) }
        for e in 0..<2 {
            every3.onEpochBegin(e, model: model)
            for b in 0..<5 { every3.onBatchEnd(b, of: 5, logs: Logs(["loss": 1]), model: model) }
            var l = Logs(["loss": 1]); try every3.onEpochEnd(e, logs: &l, model: model)
        }
        XCTAssertEqual(saved.map { String($0.dropFirst(dir.count + 1)) }, ["e1b3", "e2b1", "e2b4"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testCSVLoggerMatchesKerasText() throws {
        let all = try cases("CSVLogger")
        XCTAssertEqual(all.count, 5)
        for c in all {
            let name = c["name"] as! String, kw = c["kwargs"] as! [String: Any]
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
            if let prior = c["prior"] as? String { try prior.write(toFile: path, atomically: false, encoding: .utf8) }
            let model = try Self.tinyModel()
            let cb = try CSVLogger(filename: path, separator: kw["separator"] as? String ?? ",", append: kw["append"] as? Bool ?? false)
            cb.onTrainBegin(model: model)
            for (e, l) in (c["logs_repr"] as! [[String: String]]).enumerated() {
                var logs = Logs(l.mapValues { Double($0)! })
                try cb.onEpochEnd(e, logs: &logs, model: model)
            }
            cb.onTrainEnd(model: model, logs: Logs())
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), c["text"] as! String, name)
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    func testPythonReprAndFormat() throws {
        let cases: [(Double, String)] = [(0.1 + 0.2, "0.30000000000000004"), (1, "1.0"), (1e-5, "1e-05"), (1e16, "1e+16"),
            (1234567890123456, "1234567890123456.0"), (0.0001, "0.0001"), (-2.5, "-2.5"), (1.5e300, "1.5e+300"),
            (100, "100.0"), (Double(Float(0.1)), "0.10000000149011612"), (.nan, "nan"), (-.infinity, "-inf"), (5e-324, "5e-324")]
        for (x, want) in cases { XCTAssertEqual(PythonFormat.repr(x), want) }
        XCTAssertEqual(try PythonFormat.format("{{a}}{epoch:03d}|{x:<6.1f}|{x:^7.2f}|{epoch:+}", ["epoch": .int(7), "x": .double(2.25)]),
                       "{a}007|2.2   | 2.25  |+7")
        XCTAssertThrowsError(try PythonFormat.format("{x:d}", ["x": .double(1)]))
        XCTAssertThrowsError(try PythonFormat.format("{x", ["x": .double(1)]))
    }

    func testTerminateOnNaNAndScheduler() throws {
        let model = try Self.tinyModel(lr: 0.5)
        let t = TerminateOnNaN()
        t.log = { _ in }
        t.onTrainBegin(model: model)
        t.onEpochBegin(0, model: model)
        t.onBatchEnd(0, of: 3, logs: Logs(["loss": 1]), model: model)
        XCTAssertFalse(t.didFire)
        t.onBatchEnd(1, of: 3, logs: Logs(["loss": .nan]), model: model)
        XCTAssertTrue(t.didFire && model.stopTraining)
        XCTAssertEqual(t.fired?.batch, 1)
        let strict = TerminateOnNaN(raiseError: true)
        strict.onBatchEnd(0, of: 1, logs: Logs(["loss": .infinity]), model: model)
        var logs = Logs()
        XCTAssertThrowsError(try strict.onEpochEnd(0, logs: &logs, model: model))

        let halve = LearningRateScheduler { epoch, lr in epoch == 0 ? lr : lr / 2 }
        var seen: [Double] = []
        for e in 0..<3 {
            halve.onEpochBegin(e, model: model)
            var l = Logs(); try halve.onEpochEnd(e, logs: &l, model: model); seen.append(l["learning_rate"]!)
        }
        XCTAssertEqual(seen, [0.5, 0.25, 0.125])
        let list = try LearningRateScheduler(rates: [0.1, 0.01])
        list.onEpochBegin(5, model: model)
        XCTAssertEqual(model.optimizer!.currentLearningRate, 0.01)
        XCTAssertThrowsError(try LearningRateScheduler(rates: []))
    }

    func testEarlyStoppingStateSurvivesResume() throws {
        let seq: [Double] = [1.0, 0.8, 0.85, 0.81, 0.7, 0.75, 0.76, 0.77]
        func run(_ cb: EarlyStopping, _ model: Model, _ epochs: Range<Int>) throws -> Int? {
            cb.onTrainBegin(model: model)
            for e in epochs {
                var l = Logs(["val_loss": seq[e]]); try cb.onEpochEnd(e, logs: &l, model: model)
                if model.stopTraining { return e }
            }
            return nil
        }
        let whole = try run(EarlyStopping(patience: 2), try Self.tinyModel(), 0..<8)
        let first = EarlyStopping(patience: 2)
        XCTAssertNil(try run(first, try Self.tinyModel(), 0..<3))
        let state = try JSONDecoder().decode(CallbackState.self, from: try JSONEncoder().encode(first.callbackState))
        let resumed = EarlyStopping(patience: 2)
        resumed.restoreOnTrainBegin(state)
        XCTAssertEqual(try run(resumed, try Self.tinyModel(), 3..<8), whole)
        XCTAssertEqual(whole, 3)
    }
}

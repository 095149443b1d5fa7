#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
@testable import KerasEngine

/// Atomic writes, model weights, optimizer/RNG/training state and an exact resume.
final class PersistenceTests: XCTestCase {
    private var dir = ""
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("persist-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testAtomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let path = dir + "/a.txt"
        try AtomicFile.write("first", to: path)
        try AtomicFile.write(Data("second".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        XCTAssertEqual(try listing(), ["a.txt"])
        // Missing parent folders are created, as `mkdir -p` would.
        try AtomicFile.write("deep", to: dir + "/missing/sub/a.txt")
        XCTAssertEqual(try String(contentsOfFile: dir + "/missing/sub/a.txt", encoding: .utf8), "deep")
        // A file standing where a folder must be is one error naming it (root can write
        // anywhere, so this is the unwritable location every machine has).
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/a.txt/b/c.txt")) { e in
            XCTAssertEqual("\(e)", "\(dir)/a.txt: cannot create the folder: a file of that name exists")
        }
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/a.txt/c.txt")) { e in
            XCTAssertEqual("\(e)", "\(dir)/a.txt: cannot create the folder: a file of that name exists")
        }
    }

    func testFailedWriteLeavesTheOldFileIntact() throws {
        let path = dir + "/w.safetensors"
        try AtomicFile.write("old contents", to: path)
        // The write itself fails (EFBIG) once the file passes 1000 bytes.
        signal(SIGXFSZ, SIG_IGN)
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        var small = saved
        small.rlim_cur = 1000
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small)
        let result = Result { try AtomicFile.write([UInt8](repeating: 7, count: 5000), to: path) }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        XCTAssertThrowsError(try result.get()) { e in
            XCTAssertEqual("\(e)", "\(path): cannot write: File too large")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old contents")
        XCTAssertEqual(try listing(), ["w.safetensors"])
        // The rename fails: the target is a non-empty folder, which stays as it was.
        try FileManager.default.createDirectory(atPath: dir + "/d/x", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write("new", to: dir + "/d")) { e in
            XCTAssertTrue("\(e)".contains("cannot replace"), "\(e)")
        }
        XCTAssertEqual(try listing(), ["d", "w.safetensors"])
    }

    static func mlp(seed: UInt64, dropout: Float = 0.3) throws -> Model {
        let m = Sequential(layers: [Dense(units: 8, activation: .relu(), name: "d1"), Dropout(rate: dropout, name: "drop"),
                                    Dense(units: 3, activation: .softmax(), name: "d2")])
        try m.build(inputShapes: [[4]], seed: seed)
        m.compile(optimizer: Optimizer(RMSprop(momentum: 0.5, centered: true), learningRate: ConstantLearningRate(0.01)),
                  losses: [SparseCategoricalCrossentropy()])
        return m
    }

    static var data: Dataset {
        var r = RNG(seed: 5)
        let x = Tensor(shape: [20, 4], data: (0..<80).map { _ in Float(r.normal()) })
        let y = Tensor(shape: [20], data: (0..<20).map { _ in Float(r.next() % 3) })
        return Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])
    }

    func testWeightsSaveLoadGivesIdenticalOutputs() throws {
        let a = try Self.mlp(seed: 1), b = try Self.mlp(seed: 2)
        let x = Tensor(shape: [3, 4], data: (0..<12).map { Float($0) / 7 - 0.5 })
        XCTAssertNotEqual(a.predict([x])[0].scalars, b.predict([x])[0].scalars)
        try a.saveWeights(to: dir + "/model.safetensors")
        try b.loadWeights(from: dir + "/model.safetensors")
        XCTAssertEqual(a.predict([x])[0].scalars, b.predict([x])[0].scalars)
        XCTAssertEqual(try Safetensors.read(dir + "/model.safetensors").tensors.map(\.0), ["d1/kernel", "d1/bias", "d2/kernel", "d2/bias"])
    }

    func testLoadWeightsErrorsNameTheWeightAndLeaveTheModelUnchanged() throws {
        let m = try Self.mlp(seed: 1)
        let before = m.weightsDictionary
        var w = before
        w["d2/bias"] = Tensor(shape: [4])
        XCTAssertThrowsError(try m.loadWeights(w)) { e in
            XCTAssertEqual("\(e)", "weight 'd2/bias' has shape [4] in the saved weights but [3] in the model")
        }
        w = before; w["d2/bias"] = nil
        XCTAssertThrowsError(try m.loadWeights(w)) { e in XCTAssertEqual(e as? PersistenceError, .missingWeight(name: "d2/bias")) }
        w = before; w["d3/kernel"] = Tensor(1)
        XCTAssertThrowsError(try m.loadWeights(w)) { e in XCTAssertTrue("\(e)".hasPrefix("the saved weights hold 'd3/kernel'"), "\(e)") }
        for (k, v) in m.weightsDictionary { XCTAssertEqual(v.scalars, before[k]!.scalars) }
    }

    /// Saves weights, optimizer slots and state to disk and restores them into a fresh model.
    private func saveAndRestore(_ a: Model, epochs: Int, seed: UInt64, callbacks: [any Callback] = [],
                                into b: Model, callbacksB: [any Callback] = []) throws {
        try a.saveWeights(to: dir + "/model.safetensors")
        try Safetensors.write(a.optimizer!.slotTensors, to: dir + "/optimizer.safetensors")
        let state = try TrainingState.capture(model: a, epochsCompleted: epochs, seed: seed, callbacks: callbacks)
        try AtomicFile.write(state.jsonData(), to: dir + "/state.json")

        try b.loadWeights(from: dir + "/model.safetensors")
        let loaded = try TrainingState.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/state.json")), path: "state.json")
        XCTAssertEqual(loaded, state)
        try loaded.restore(into: b, slotTensors: Safetensors.read(dir + "/optimizer.safetensors").dictionary, callbacks: callbacksB)
    }

    private func bits(_ m: Model) -> [[UInt32]] { m.parameters.map { $0.value.scalars.map(\.bitPattern) } }

    func testOptimizerStateRoundTripThenOneStepMatchesUninterruptedRun() throws {
        let a = try Self.mlp(seed: 1, dropout: 0), b = try Self.mlp(seed: 2, dropout: 0)
        try a.fit(Self.data, options: FitOptions(epochs: 1, batchSize: 7, shuffle: false))
        XCTAssertEqual(a.optimizer!.iterations, 3)
        a.optimizer!.learningRateOverride = 0.005
        try saveAndRestore(a, epochs: 1, seed: 0, into: b)
        XCTAssertEqual(b.optimizer!.iterations, 3)
        XCTAssertEqual(b.optimizer!.learningRateOverride, 0.005)
        XCTAssertEqual(b.optimizer!.slotTensors.map(\.0).first, "d1/bias/velocity")
        try a.fit(Self.data, options: FitOptions(epochs: 1, batchSize: 20, shuffle: false))
        try b.fit(Self.data, options: FitOptions(epochs: 1, batchSize: 20, shuffle: false))
        XCTAssertEqual(bits(a), bits(b))
    }

    func testResumedFitContinuesExactlyWithDropoutShuffleAndCallbacks() throws {
        let seed: UInt64 = 42
        let whole = try Self.mlp(seed: 1)
        let esWhole = EarlyStopping(monitor: "loss", patience: 50)
        try whole.fit(Self.data, options: FitOptions(epochs: 4, batchSize: 6, seed: seed), callbacks: [esWhole])

        let first = try Self.mlp(seed: 1)
        let es1 = EarlyStopping(monitor: "loss", patience: 50)
        try first.fit(Self.data, options: FitOptions(epochs: 2, batchSize: 6, seed: seed), callbacks: [es1])
        let resumed = try Self.mlp(seed: 99)
        let es2 = EarlyStopping(monitor: "loss", patience: 50)
        XCTAssertNotEqual(resumed.randomStates, first.randomStates, "the dropout stream must actually need restoring")
        try saveAndRestore(first, epochs: 2, seed: seed, callbacks: [es1], into: resumed, callbacksB: [es2])
        XCTAssertEqual(resumed.randomStates, first.randomStates)
        try resumed.fit(Self.data, options: FitOptions(epochs: 4, batchSize: 6, initialEpoch: 2, seed: seed), callbacks: [es2])
        XCTAssertEqual(bits(resumed), bits(whole))
        XCTAssertEqual(resumed.optimizer!.iterations, whole.optimizer!.iterations)
        XCTAssertEqual(es2.callbackState, esWhole.callbackState)
    }

    /// Every layer that draws random numbers in training (not Dropout alone) saves its stream:
    /// two epochs, a save and restore into a differently seeded model, two more epochs equal
    /// four uninterrupted epochs bit for bit.
    func testEveryRandomLayerResumesItsStream() throws {
        var lstm = LSTM.Config(units: 3)
        lstm.dropout = 0.3
        lstm.recurrentDropout = 0.2
        let dense = { Dense(units: 3, activation: .softmax(), name: "d2") }
        let cases: [(String, [Int], [String], () throws -> [any Layer])] = [
            ("GaussianNoise", [4], ["noisy"], { [GaussianNoise(stddev: 0.5, name: "noisy"), dense()] }),
            ("GaussianDropout", [4], ["noisy"], { [GaussianDropout(rate: 0.4, name: "noisy"), dense()] }),
            ("SpatialDropout1D", [2, 2], ["noisy"], { [SpatialDropout(rank: 1, rate: 0.4, name: "noisy"), Flatten(name: "f"), dense()] }),
            ("LSTM dropout", [2, 2], ["noisy"], { [LSTM(lstm, name: "noisy"), dense()] }),
            // Layers inside wrappers: both directions' streams, and the wrapped Dropout's.
            ("Bidirectional", [2, 2], ["noisy/backward_lstm", "noisy/forward_lstm"], { [try Bidirectional(LSTM(lstm, name: "lstm"), name: "noisy"), dense()] }),
            ("TimeDistributed", [2, 2], ["noisy/drop"], { [TimeDistributed(Dropout(rate: 0.4, name: "drop"), name: "noisy"), Flatten(name: "f"), dense()] }),
            // A nested model's layers, two levels deep, keyed by their path.
            ("nested models", [4], ["noisy/inner/drop", "noisy/noise"], {
                let inner = Sequential(name: "inner", layers: [Dense(units: 4, name: "d0"), Dropout(rate: 0.4, name: "drop")])
                let outer = Sequential(name: "outer", layers: [ModelLayer(inner), GaussianNoise(stddev: 0.3, name: "noise")])
                return [ModelLayer(outer, name: "noisy"), dense()]
            }),
        ]
        for (label, shape, keys, layers) in cases {
            func model(_ seed: UInt64) throws -> Model {
                let m = Sequential(layers: try layers())
                try m.build(inputShapes: [shape], seed: seed)
                m.compile(optimizer: Optimizer(Adam(), learningRate: ConstantLearningRate(0.01)), losses: [SparseCategoricalCrossentropy()])
                return m
            }
            var data = Self.data
            data.inputs = [TensorSource(reshape((Self.data.inputs[0] as! TensorSource).tensor, [20] + shape))]
            let whole = try model(1), first = try model(1), resumed = try model(7)
            try whole.fit(data, options: FitOptions(epochs: 4, batchSize: 6, seed: 3))
            try first.fit(data, options: FitOptions(epochs: 2, batchSize: 6, seed: 3))
            XCTAssertEqual(first.randomStates.keys.sorted(), keys, label)
            XCTAssertNotEqual(resumed.randomStates, first.randomStates, label)
            try saveAndRestore(first, epochs: 2, seed: 3, into: resumed)
            try resumed.fit(data, options: FitOptions(epochs: 4, batchSize: 6, initialEpoch: 2, seed: 3))
            XCTAssertEqual(bits(resumed), bits(whole), label)
        }
    }

    func testStateRestoreRejectsMismatches() throws {
        let a = try Self.mlp(seed: 1, dropout: 0)
        try a.fit(Self.data, options: FitOptions(epochs: 1, batchSize: 10))
        let state = try TrainingState.capture(model: a, epochsCompleted: 1, seed: 0)
        var slots = a.optimizer!.slotTensors
        let b = try Self.mlp(seed: 1, dropout: 0)
        slots.removeLast()
        XCTAssertThrowsError(try state.restore(into: b, slotTensors: Dictionary(uniqueKeysWithValues: slots))) { e in
            XCTAssertTrue("\(e)".contains("is missing"), "\(e)")
        }
        var wrong = state
        wrong.optimizer.optimizer = "Adam"
        XCTAssertThrowsError(try wrong.restore(into: b, slotTensors: [:])) { e in
            XCTAssertEqual("\(e)", "the saved optimizer state is for Adam, the model uses RMSprop")
        }
        XCTAssertThrowsError(try state.restore(into: b, slotTensors: ["d1/kernel/bogus": Tensor(1)])) { e in
            XCTAssertTrue("\(e)".contains("names none of RMSprop's slots"), "\(e)")
        }
        var noRandom = state
        noRandom.randomStates = [:]
        XCTAssertThrowsError(try noRandom.restore(into: b, slotTensors: Dictionary(uniqueKeysWithValues: a.optimizer!.slotTensors))) { e in
            XCTAssertEqual("\(e)", "no saved random state for layer 'drop' (older versions saved only Dropout's), so the run cannot continue as it would have; train it again")
        }
        XCTAssertEqual(b.optimizer!.iterations, 0, "a failed restore changes nothing")
        XCTAssertTrue(b.optimizer!.slots.isEmpty)
        XCTAssertThrowsError(try TrainingState.decode(Data("{\"version\": 1}".utf8), path: "state.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("state.json: not a valid file: missing key"), "\(e)")
        }
    }

    func testTrainingStateJSONKeepsFullRNGWords() throws {
        var rng = RNG(seed: 7)
        _ = rng.next()
        let s = TrainingState(epochsCompleted: 3, seed: .max, optimizer: OptimizerState(optimizer: "RMSprop", iterations: 9, learningRateOverride: nil),
                              randomStates: ["drop": rng], callbacks: ["EarlyStopping:val_loss": CallbackState(best: .nan, wait: 2)])
        let back = try TrainingState.decode(try s.jsonData(), path: "s")
        XCTAssertEqual(back.randomStates, s.randomStates)
        XCTAssertEqual(back.seed, .max)
        XCTAssertTrue(back.callbacks["EarlyStopping:val_loss"]!.best!.isNaN)
    }
}

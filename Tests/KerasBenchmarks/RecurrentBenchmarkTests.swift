import XCTest
@testable import KerasEngine
#if canImport(Glibc)
import Glibc
#endif

/// The reference LSTM's training step: LSTM(128) over 28 steps of 28 features →
/// Dense(10, softmax), batch 128, forward + backward (Keras-JAX: ~11.7 s per epoch of
/// 469 batches ≈ 25 ms per batch, optimizer included). Runs only with KERAS_BENCH=1
/// (use a release build: `KERAS_BENCH=1 swift test -c release --filter RecurrentBenchmarkTests`).
final class RecurrentBenchmarkTests: XCTestCase {
    func testLSTMReferenceStep() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KERAS_BENCH"] == "1", "set KERAS_BENCH=1 to run")
        let model = Sequential(layers: [LSTM(units: 128), Dense(units: 10, activation: .softmax())])
        try model.build(inputShapes: [[28, 28]], seed: 1)
        var seed = RNG(seed: 2)
        let x = Initializer.randomNormal(mean: 0, stddev: 0.5).make([128, 28, 28], rng: &seed)
        var y = Tensor(shape: [128])
        for i in 0..<128 { y[flat: i] = Float(i % 10) }
        let loss = SparseCategoricalCrossentropy()
        func step() {
            let tape = Tape()
            for p in model.parameters { tape.watch(p) }
            let l = loss(y, model.call([x], training: true)[0])
            _ = tape.gradients(of: l, for: model.parameters)
        }
        for _ in 0..<3 { step() }
        let n = 20
        var best = Double.infinity, total = 0.0
        let cpu0 = clock()
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            step()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            best = Swift.min(best, ms); total += ms
        }
        let cpuMs = Double(clock() - cpu0) / Double(CLOCKS_PER_SEC) * 1000 / Double(n)
        print(String(format: "LSTM(128) 28x28 batch 128 forward+backward: mean %.2f ms/batch, best %.2f ms, CPU %.2f ms/batch (×469 = %.1f s/epoch)",
                     total / Double(n), best, cpuMs, total / Double(n) * 469 / 1000))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

import XCTest
@testable import KerasEngine

/// Timing of the reference CNN (not a test): runs only with KERAS_BENCH=1, e.g.
/// `KERAS_BENCH=1 swift test -c release --filter ConvBenchmarkTests`.
///
/// conv 3×3×32 relu → maxpool 2 → conv 3×3×64 relu → maxpool 2 → flatten → dropout 0.5
/// → dense 10 softmax, batch 128 of 28×28×1; forward + backward per batch
/// (469 batches make a Fashion-MNIST epoch; Keras-TF takes ~10.7 s per epoch here).
final class ConvBenchmarkTests: XCTestCase {
    func testBenchmarkReferenceCNN() throws {
        guard ProcessInfo.processInfo.environment["KERAS_BENCH"] == "1" else { throw XCTSkip("set KERAS_BENCH=1 to run") }
        if ProcessInfo.processInfo.environment["KERAS_BENCH_MALLOC"] == "1" {
            // Keep freed batch-sized buffers in the heap instead of unmapping them: without
            // this, every batch faults its tensors' pages in afresh (~25% of the time).
            keepBatchBuffersMapped()
        }
        let (ms, cpu) = try Self.benchmarkCNN(batches: Int(ProcessInfo.processInfo.environment["KERAS_BENCH_BATCHES"] ?? "") ?? 10)
        print(String(format: "reference CNN: %.1f ms/batch wall (%.1f ms CPU) forward+backward -> %.2f s per 469-batch epoch",
                     ms, cpu, ms * 469 / 1000))
    }

    /// Process CPU time in milliseconds (all threads): on a shared machine this is the
    /// steadier measure for a single-threaded BLAS.
    static func cpuMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Wall and CPU milliseconds per forward+backward batch (after one warm-up batch).
    static func benchmarkCNN(batches: Int, batchSize: Int = 128) throws -> (wall: Double, cpu: Double) {
        let layers: [any UnaryLayer] = [
            Convolution(.init(rank: 2, filters: 32, kernelSize: [3], activation: .relu()), name: "conv1"),
            Pooling(.init(kind: .max, rank: 2), name: "pool1"),
            Convolution(.init(rank: 2, filters: 64, kernelSize: [3], activation: .relu()), name: "conv2"),
            Pooling(.init(kind: .max, rank: 2), name: "pool2"),
            Flatten(), Dropout(rate: 0.5), Dense(units: 10, activation: .softmax()),
        ]
        var ctx = BuildContext(rng: RNG(seed: 1))
        var shape = [28, 28, 1]
        for l in layers { shape = try l.build(inputShapes: [shape], context: &ctx)[0] }
        let params = layers.flatMap(\.parameters)
        var rng = RNG(seed: 2)
        let x = Tensor(shape: [batchSize, 28, 28, 1], data: (0..<(batchSize * 784)).map { _ in rng.uniformFloat() })
        let y = Tensor(shape: [batchSize], data: (0..<batchSize).map { _ in Float(rng.next() % 10) })
        let loss = SparseCategoricalCrossentropy()
        var timings = [String: Double]()
        func step(profile: Bool) {
            let tape = Tape()
            for p in params { tape.watch(p) }
            var h = x
            for l in layers {
                let t0 = DispatchTime.now().uptimeNanoseconds
                h = l(h, training: true)
                if profile { timings[l.name, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 }
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let grads = tape.gradients(of: loss(y, h), for: params)
            if profile { timings["backward", default: 0] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 }
            precondition(grads.count == params.count)
        }
        step(profile: false)
        let start = DispatchTime.now().uptimeNanoseconds, cpu0 = cpuMilliseconds()
        for _ in 0..<batches { step(profile: true) }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(batches)
        let cpu = (cpuMilliseconds() - cpu0) / Double(batches)
        print("per batch:", timings.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f ms", $0.key, $0.value / Double(batches)) }.joined(separator: ", "))
        return (ms, cpu)
    }
}

extension ConvBenchmarkTests {
    /// Times the GEMM shapes of the reference CNN's convolutions one by one (KERAS_BENCH=1).
    func testBenchmarkGEMMShapes() throws {
        guard ProcessInfo.processInfo.environment["KERAS_BENCH"] == "1" else { throw XCTSkip("set KERAS_BENCH=1 to run") }
        func time(_ label: String, m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false) {
            let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
            var c = [Float](repeating: 0, count: m * n)
            let reps = 10
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<reps { sgemm(a, b, &c, m: m, n: n, k: k, transA: transA, transB: transB) }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(reps)
            print(String(format: "%@ (%d×%d×%d%@%@): %.2f ms, %.1f GFLOPS", label, m, n, k, transA ? " Aᵀ" : "", transB ? " Bᵀ" : "",
                         ms, 2 * Double(m * n * k) / ms / 1e6))
        }
        time("conv2 forward", m: 15488, n: 64, k: 288)
        time("conv2 dW", m: 288, n: 64, k: 15488, transA: true)
        time("conv2 dcol", m: 15488, n: 288, k: 64, transB: true)
        time("conv1 forward", m: 86528, n: 32, k: 9)
        time("conv1 dW", m: 9, n: 32, k: 86528, transA: true)
    }
}

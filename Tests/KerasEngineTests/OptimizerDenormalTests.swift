import XCTest
import KerasKernels
@testable import KerasEngine

/// Optimizer updates run with denormals flushed to zero, as Keras's TensorFlow and JAX
/// backends compute on CPU, on every thread that runs a slice; the caller's and the
/// workers' floating-point state is restored afterwards.
final class OptimizerDenormalTests: XCTestCase {
    private let denormal: Float = 1e-39   // below Float.leastNormalMagnitude (1.18e-38)

    @inline(never) private func product(_ a: Float, _ b: Float) -> Float { a * b }

    /// One step with a zero gradient from slots all `denormal`: each slot decays by a factor
    /// below one, a denormal result that is flushed to 0 (9e-40 and the like without the
    /// flush). The weights do not move.
    private func step(_ rule: any UpdateRule, count: Int, threads: Int) {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        ParallelBatch.threads = threads
        let opt = Optimizer(rule)
        let w = GradientCheck.random([count], seed: 3)
        let p = Parameter(name: "w", value: w)
        opt.slots["w"] = rule.slotNames.map { _ in Tensor(shape: [count], repeating: denormal) }
        var grads = Gradients()
        grads[p] = Tensor(shape: [count])
        opt.apply(grads, to: [p])
        let name = "\(type(of: rule)) on \(count) values, \(threads) threads"
        for (s, slot) in (opt.slots["w"] ?? []).enumerated() {
            let nonzero = (0..<count).filter { slot[flat: $0] != 0 }
            XCTAssertEqual(nonzero.count, 0, "\(name): slot \(rule.slotNames[s]) kept \(nonzero.count) denormals")
        }
        for i in stride(from: 0, to: count, by: 997) { XCTAssertEqual(p.value[flat: i], w[flat: i], name) }
        XCTAssertEqual(opt.slots["w"]?.count, rule.slotNames.count, name)
    }

    func testSlotsDecayingBelowTheNormalRangeBecomeZero() throws {
        var momentum = SGD.Config()
        momentum.momentum = 0.9
        let rules: [any UpdateRule] = [RMSprop(), Adam(), try SGD(momentum)]   // C kernels, and Swift
        for rule in rules {
            step(rule, count: 8, threads: 1)
            step(rule, count: 70_000, threads: 2)   // slices on both threads
        }
    }

    func testTheThreadsGetTheirFloatingPointStateBack() {
        step(RMSprop(), count: 70_000, threads: 2)
        XCTAssertEqual(product(denormal, 1), denormal, "the caller still flushes denormals")
        // Each chunk of a region multiplies a denormal by one on whichever thread runs it.
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        ParallelBatch.threads = 2
        var results = [Float](repeating: 0, count: 16)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            ParallelBatch.run(16, chunks: 16) { c, _ in base[c] = self.product(self.denormal, 1) }
        }
        XCTAssertEqual(results, [Float](repeating: denormal, count: 16), "a worker still flushes denormals")
    }

    func testTheFlushHelperSetsAndRestores() {
        let saved = kk_denormals_flush()
        XCTAssertEqual(product(denormal, 1), 0)
        kk_denormals_restore(saved)
        XCTAssertEqual(product(denormal, 1), denormal)
    }
}

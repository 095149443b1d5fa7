import XCTest
@testable import KerasEngine

/// The batch-parallel convolution and max-pool paths give the serial results: forward
/// output, input gradient and every parameter gradient, for odd batch splits, fused
/// ReLU, groups, pointwise kernels and pools with uncovered or overlapping cells.
final class ConvParallelTests: XCTestCase {
    /// Output and gradients (input first, then parameters) of Σ layers(x)·w.
    static func run(_ layers: [any UnaryLayer], _ x: Tensor, threads: Int) -> [Tensor] {
        let saved = ParallelBatch.threads
        ParallelBatch.threads = threads
        defer { ParallelBatch.threads = saved }
        let tape = Tape()
        let params = layers.flatMap(\.parameters).filter(\.trainable)
        for p in params { tape.watch(p) }
        let xt = tape.watch(x)
        var h = xt
        for l in layers { h = l(h, training: true) }
        let w = GradientCheck.random(h.shape, seed: 99)
        let loss = sum(h * w)
        let gx = tape.gradients(of: loss, for: [xt])[0]
        // A second pass for the parameter gradients (a tape is spent by one query).
        let tape2 = Tape()
        for p in params { tape2.watch(p) }
        var h2 = x
        for l in layers { h2 = l(h2, training: true) }
        let grads = tape2.gradients(of: sum(h2 * w), for: params)
        return [h.detached, gx] + params.map { grads[$0]! }
    }

    func assertSame(_ layers: [any UnaryLayer], input: [Int], batch: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var ctx = BuildContext(rng: RNG(seed: 7))
        var shape = input
        for l in layers { shape = try l.build(inputShapes: [shape], context: &ctx)[0] }
        for p in layers.flatMap(\.parameters) where p.trainable { p.value = GradientCheck.random(p.shape, seed: UInt64(p.count), scale: 0.5) }
        let x = GradientCheck.random([batch] + input, seed: 3)
        let serial = Self.run(layers, x, threads: 1)
        for (threads, budget) in [(2, ConvBlocks.budgetBytes), (3, ConvBlocks.budgetBytes), (1, 1), (2, 1)] {
            let saved = ConvBlocks.budgetBytes
            ConvBlocks.budgetBytes = budget  // 1: one example per block
            let parallel = Self.run(layers, x, threads: threads)
            ConvBlocks.budgetBytes = saved
            XCTAssertEqual(serial.count, parallel.count, file: file, line: line)
            for (k, (a, b)) in zip(serial, parallel).enumerated() {
                XCTAssertEqual(a.shape, b.shape, file: file, line: line)
                let worst = (0..<a.count).map { abs(a[flat: $0] - b[flat: $0]) / Swift.max(1, abs(a[flat: $0])) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, "result \(k) with \(threads) threads, block budget \(budget)", file: file, line: line)
            }
        }
    }

    func testConvolutionParallelMatchesSerial() throws {
        func conv(_ f: Int, _ k: [Int], relu: Bool = true, _ edit: (inout Convolution.Config) -> Void = { _ in }) -> Convolution {
            var c = Convolution.Config(rank: 2, filters: f, kernelSize: k, activation: relu ? .relu() : .linear)
            edit(&c)
            return Convolution(c)
        }
        try assertSame([conv(4, [3])], input: [6, 5, 2], batch: 5)
        try assertSame([conv(4, [3]) { $0.useBias = false }], input: [6, 5, 2], batch: 7)
        try assertSame([conv(4, [3], relu: false) { $0.groups = 2; $0.padding = .same; $0.strides = [2] }], input: [6, 5, 2], batch: 5)
        try assertSame([conv(3, [1])], input: [4, 4, 2], batch: 9)
        try assertSame([conv(8, [3]), Pooling(.init(kind: .max, rank: 2)), conv(4, [2])], input: [9, 9, 1], batch: 6)
    }

    func testMaxPoolParallelMatchesSerial() throws {
        try assertSame([Pooling(.init(kind: .max, rank: 2))], input: [5, 5, 3], batch: 5)
        try assertSame([Pooling(.init(kind: .max, rank: 2, poolSize: [2], strides: [3]))], input: [8, 7, 2], batch: 4)
        try assertSame([Pooling(.init(kind: .max, rank: 2, poolSize: [3], strides: [2], padding: .same))], input: [7, 6, 2], batch: 5)
        try assertSame([Pooling(.init(kind: .max, rank: 1, poolSize: [2], padding: .same))], input: [7, 3], batch: 3)
    }

    /// Non-overlapping windows write every covered input cell once and zero the rest:
    /// the cells outside every window get a zero gradient.
    func testMaxPoolUncoveredCellsGetZeroGradient() throws {
        let pool = Pooling(.init(kind: .max, rank: 2, poolSize: [2], strides: [3]))
        var ctx = BuildContext(rng: RNG(seed: 1))
        _ = try pool.build(inputShapes: [[7, 7, 1]], context: &ctx)
        let tape = Tape()
        let x = tape.watch(GradientCheck.random([2, 7, 7, 1], seed: 4))
        let gx = tape.gradients(of: sum(pool(x, training: true)), for: [x])[0]
        for b in 0..<2 {
            for i in 0..<7 { for j in 0..<7 where i % 3 == 2 || j % 3 == 2 || i == 6 || j == 6 {
                XCTAssertEqual(gx[flat: (b * 7 + i) * 7 + j], 0, "cell \(i),\(j)")
            } }
        }
        XCTAssertEqual((0..<gx.count).reduce(Float(0)) { $0 + gx[flat: $1] }, 2 * 4, "one gradient per window")
    }
}

extension ConvParallelTests {
    /// A product big enough to be split by columns gives the one-thread result.
    func testMatmulColumnSplitMatchesSerial() throws {
        let w = Parameter(name: "w", value: GradientCheck.random([300, 160], seed: 21))
        let x = GradientCheck.random([100, 300], seed: 22)  // 4.8 M multiply-adds
        func run(_ threads: Int) -> [Tensor] {
            let saved = ParallelBatch.threads
            ParallelBatch.threads = threads
            defer { ParallelBatch.threads = saved }
            let tape = Tape()
            tape.watch(w)
            let xt = tape.watch(x)
            let y = matmul(xt, w.value)
            let loss = sum(y * GradientCheck.random(y.shape, seed: 23))
            let tape2 = Tape()
            tape2.watch(w)
            let gw = tape2.gradients(of: sum(matmul(x, w.value) * GradientCheck.random(y.shape, seed: 23)), for: [w])[w]!
            return [y.detached, tape.gradients(of: loss, for: [xt])[0], gw]
        }
        let serial = run(1)
        for threads in [2, 3] {
            for (a, b) in zip(serial, run(threads)) {
                let worst = (0..<a.count).map { abs(a[flat: $0] - b[flat: $0]) / Swift.max(1, abs(a[flat: $0])) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "\(threads) threads")  // GEMM blocking sums in another order
            }
        }
    }
}

import XCTest
@testable import KerasEngine

/// The eight-lane, thread-split passes (ReLU forward and backward, the fused bias + ReLU's
/// backward, batch normalization's statistics and gradients) give the plain results on
/// tensors large enough to split (≥ 2¹⁶ values, odd sizes), and ReLU keeps Keras's NaN
/// behaviour.
final class ElementwiseParallelTests: XCTestCase {
    func testReluLargeMatchesScalarOnEveryThreadCount() {
        let n = (1 << 18) + 1235
        let x = GradientCheck.random([n], seed: 41)
        let w = GradientCheck.random([n], seed: 42)
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        for threads in [1, 2, 3] {
            ParallelBatch.threads = threads
            let tape = Tape()
            let xt = tape.watch(x)
            let y = relu(xt)
            let gx = tape.gradients(of: sum(y * w), for: [xt])[0]
            for i in 0..<n {
                let v = x[flat: i]
                XCTAssertEqual(y[flat: i], Swift.max(v, 0))
                XCTAssertEqual(gx[flat: i], v > 0 ? w[flat: i] : 0)
            }
        }
    }

    func testBiasAddReluBackwardLarge() {
        let rows = 700, cols = 513   // 359,100 values: split, with a tail in the last row block
        let x = GradientCheck.random([rows, cols], seed: 43), b = GradientCheck.random([cols], seed: 44)
        let w = GradientCheck.random([rows, cols], seed: 45)
        let tape = Tape()
        let xt = tape.watch(x), bt = tape.watch(b)
        let grads = tape.gradients(of: sum(biasAddRelu(xt, bt) * w), for: [xt, bt])
        var wantB = [Double](repeating: 0, count: cols)
        for r in 0..<rows {
            for j in 0..<cols {
                let i = r * cols + j, on = x[flat: i] + b[flat: j] > 0
                XCTAssertEqual(grads[0][flat: i], on ? w[flat: i] : 0)
                if on { wantB[j] += Double(w[flat: i]) }
            }
        }
        for j in 0..<cols { XCTAssertEqual(Double(grads[1][flat: j]), wantB[j], accuracy: 1e-3) }
    }

    func testReluKeepsNaN() {
        let x = Tensor(shape: [11], data: [.nan, -1, 2, -0.5, 0, .infinity, -.infinity, 3, .nan, -2, 1])
        let y = relu(x)
        XCTAssertTrue(y[flat: 0].isNaN)
        XCTAssertTrue(y[flat: 8].isNaN)
        XCTAssertEqual((1..<8).map { y[flat: $0] }, [0, 2, 0, 0, .infinity, 0, 3])
    }

    func testBatchNormTrainingSplitMatchesSerialAndReference() {
        let x = GradientCheck.random([301, 29, 33], seed: 46, scale: 2)   // 288,057 values, 33 channels
        let gamma = GradientCheck.random([33], seed: 47), beta = GradientCheck.random([33], seed: 48)
        let w = GradientCheck.random(x.shape, seed: 49)
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        func run(_ threads: Int) -> [[Float]] {
            ParallelBatch.threads = threads
            let tape = Tape()
            let xt = tape.watch(x), gt = tape.watch(gamma), bt = tape.watch(beta)
            let (y, mean, variance) = batchNormTraining(xt, gamma: gt, beta: bt, epsilon: 1e-3)
            let grads = tape.gradients(of: sum(y * w), for: [xt, gt, bt])
            return [y.scalars, mean, variance] + grads.map(\.scalars)
        }
        let serial = run(1)
        // Mean and variance against a plain Double reference.
        let C = 33, R = x.count / C
        for c in 0..<C {
            var s = 0.0, ss = 0.0
            for r in 0..<R { s += Double(x[flat: r * C + c]) }
            let mu = s / Double(R)
            for r in 0..<R { let d = Double(x[flat: r * C + c]) - mu; ss += d * d }
            XCTAssertEqual(Double(serial[1][c]), mu, accuracy: 1e-6)
            XCTAssertEqual(Double(serial[2][c]), ss / Double(R), accuracy: 1e-5)
        }
        for threads in [2, 3] {
            for (k, (a, b)) in zip(serial, run(threads)).enumerated() {
                let worst = zip(a, b).map { abs($0 - $1) / Swift.max(1, abs($0)) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-5, "result \(k) with \(threads) threads")
            }
        }
    }

    /// Broadcasting along the last axis (squeeze-and-excite scales, per-channel terms)
    /// runs row by row over the threads: the same values as the per-element definition,
    /// with either operand broadcast, on every thread count; unary ops split too.
    func testRowBroadcastAndUnarySplitMatchTheDefinition() {
        let (n, h, w, c) = (3, 70, 90, 17)   // 321,300 values: split, rows of 17
        let big = GradientCheck.random([n, h, w, c], seed: 5)
        let scale = GradientCheck.random([n, 1, 1, c], seed: 6)
        let partial = GradientCheck.random([n, h, 1, c], seed: 7)
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        for threads in [1, 2, 3] {
            ParallelBatch.threads = threads
            let y = big * scale, z = partial - scale, s = Activation.silu(big)
            XCTAssertEqual(z.shape, [n, h, 1, c])
            for b in 0..<n { for i in 0..<h { for j in 0..<w { for k in 0..<c {
                let o = ((b * h + i) * w + j) * c + k
                XCTAssertEqual(y[flat: o], big[flat: o] * scale[flat: b * c + k])
                let v = big[flat: o]
                XCTAssertEqual(s[flat: o], v / (1 + expf(-v)))
            } } } }
            for b in 0..<n { for i in 0..<h { for k in 0..<c {
                XCTAssertEqual(z[flat: (b * h + i) * c + k], partial[flat: (b * h + i) * c + k] - scale[flat: b * c + k])
            } } }
        }
    }

    /// Bias adds (with and without ReLU) split their rows and their bias sums' columns, and
    /// same-shape products (Dropout's mask) split their values, from 2¹⁶ values: a seed-MLP
    /// batch of 128 × 512. Every thread count gives the plain loops' values bit for bit
    /// (each bias sum adds its column in row order on one thread).
    func testBiasAddsAndProductsSplitBitForBit() {
        let rows = 131, cols = 509   // 66,679 values: split, odd sizes
        let x = GradientCheck.random([rows, cols], seed: 50), b = GradientCheck.random([cols], seed: 51)
        let w = GradientCheck.random([rows, cols], seed: 52)
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        for threads in [1, 2, 3] {
            ParallelBatch.threads = threads
            let tape = Tape()
            let xt = tape.watch(x), bt = tape.watch(b), wt = tape.watch(w)
            let yr = biasAddRelu(xt, bt), ya = biasAdd(xt, bt), p = ya * wt
            let grads = tape.gradients(of: sum(yr) + sum(p), for: [xt, bt, wt])
            var sums = [Float](repeating: 0, count: cols)
            for r in 0..<rows {
                for j in 0..<cols {
                    let i = r * cols + j, v = x[flat: i] + b[flat: j]
                    XCTAssertEqual(yr[flat: i], Swift.max(v, 0))
                    XCTAssertEqual(ya[flat: i], v)
                    XCTAssertEqual(p[flat: i], v * w[flat: i])
                    XCTAssertEqual(grads[2][flat: i], v)   // d(ya·w)/dw
                }
            }
            // d/db: the ReLU path's masked ones plus the product path's w, each a column sum
            // in row order.
            var relu = [Float](repeating: 0, count: cols), prod = [Float](repeating: 0, count: cols)
            for r in 0..<rows { for j in 0..<cols {
                let i = r * cols + j
                relu[j] += x[flat: i] + b[flat: j] > 0 ? 1 : 0
                prod[j] += w[flat: i]
            } }
            for j in 0..<cols { sums[j] = relu[j] + prod[j] }
            for j in 0..<cols {
                XCTAssertEqual(grads[1][flat: j], sums[j], "bias gradient \(j) with \(threads) threads")
            }
        }
    }
}

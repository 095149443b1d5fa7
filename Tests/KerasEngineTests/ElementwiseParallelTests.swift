import XCTest
@testable import KerasEngine

/// The eight-lane, thread-split ReLU passes (forward, backward, and the fused bias + ReLU's
/// backward) give the plain scalar results on tensors large enough to split (≥ 2¹⁸ values,
/// odd length for a tail), and keep Keras's NaN behaviour.
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
}

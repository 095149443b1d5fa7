import XCTest
@testable import KerasEngine

/// The Keras `Softmax` layer: values by hand, the gradient numerically, axis checks.
final class SoftmaxLayerTests: XCTestCase {
    func testValuesByHand() throws {
        // softmax(1, 2, 3) = e^(k−3) / (e^−2 + e^−1 + 1): 0.09003057, 0.24472847, 0.66524096.
        let layer = Softmax()
        XCTAssertEqual(try layer.outputShape(for: [3]), [3])
        let y = layer(Tensor(shape: [2, 3], data: [1, 2, 3, 0, 0, 0]), training: false)
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3]
        for i in 0..<6 { XCTAssertEqual(y[flat: i], expected[i], accuracy: 1e-6) }
    }

    func testAxisCountsTheBatchAxis() throws {
        // Input (batch, 2, 2), axis 1: each column sums to 1.
        let y = Softmax(Softmax.Config(axis: 1))(Tensor(shape: [1, 2, 2], data: [0, 1, 0, 3]), training: false)
        XCTAssertEqual(y[flat: 0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(y[flat: 1], 1 / (1 + expf(2)), accuracy: 1e-6)
        XCTAssertEqual(y[flat: 0] + y[flat: 2], 1, accuracy: 1e-6)
        XCTAssertThrowsError(try Softmax(Softmax.Config(axis: 0)).outputShape(for: [4]))
        XCTAssertThrowsError(try Softmax(Softmax.Config(axis: 3)).outputShape(for: [4, 2]))
        XCTAssertEqual(try Softmax(Softmax.Config(axis: -2)).outputShape(for: [4, 2]), [4, 2])
    }

    func testGradient() throws {
        for axis in [-1, 1] {
            let layer = Softmax(Softmax.Config(axis: axis))
            let x = GradientCheck.random([2, 3, 4], seed: 5)
            let report = GradientCheck.check(inputs: [x]) { layer($0[0], training: false) }
            XCTAssertEqual(report.checked, x.count)
        }
    }
}

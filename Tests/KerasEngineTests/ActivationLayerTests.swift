import XCTest
@testable import KerasEngine

/// Keras's activation layers: values by hand from Keras's formulas, and central-difference
/// gradient checks for the input and PReLU's alpha. (Keras's own numbers:
/// KerasBuilderTests/KerasLayerFixtureTests.)
final class ActivationLayerTests: XCTestCase {
    let x = Tensor(shape: [1, 7], data: [-3, -1, 0.25, 0.75, 2, 4, 7])

    func values(_ layer: any UnaryLayer) -> [Float] {
        let y = layer(x, training: false)
        return (0..<y.count).map { y[flat: $0] }
    }

    func testReLUPiecewiseFormula() {
        // y = min(x, max) above the threshold t, slope · (x − t) at or below it.
        XCTAssertEqual(values(ReLU()), [0, 0, 0.25, 0.75, 2, 4, 7])
        XCTAssertEqual(values(ReLU(.init(maxValue: 6))), [0, 0, 0.25, 0.75, 2, 4, 6])
        XCTAssertEqual(values(ReLU(.init(negativeSlope: 0.5))), [-1.5, -0.5, 0.25, 0.75, 2, 4, 7])
        XCTAssertEqual(values(ReLU(.init(threshold: 1))), [0, 0, 0, 0, 2, 4, 7])
        // max 3, slope 0.5, threshold 1: x ≤ 1 → 0.5(x − 1); x > 1 → min(x, 3).
        XCTAssertEqual(values(ReLU(.init(maxValue: 3, negativeSlope: 0.5, threshold: 1))), [-2, -1, -0.375, -0.125, 2, 3, 3])
    }

    func testLeakyELUThresholded() {
        XCTAssertEqual(LeakyReLU.Config().negativeSlope, 0.3)
        let leaky = values(LeakyReLU())
        for (a, b) in zip(leaky, [-0.9, -0.3, 0.25, 0.75, 2, 4, 7] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let elu = values(ELU(.init(alpha: 0.5)))
        XCTAssertEqual(elu[0], 0.5 * (expf(-3) - 1), accuracy: 1e-6)
        XCTAssertEqual(elu[1], 0.5 * (expf(-1) - 1), accuracy: 1e-6)
        XCTAssertEqual(Array(elu[2...]), [0.25, 0.75, 2, 4, 7])
        XCTAssertEqual(values(ThresholdedReLU()), [0, 0, 0, 0, 2, 4, 7])
        XCTAssertEqual(values(ThresholdedReLU(.init(theta: 0.5))), [0, 0, 0, 0.75, 2, 4, 7])
    }

    func testActivationGradients() {
        let input = GradientCheck.random([3, 8], seed: 11, scale: 3)
        let layers: [(any UnaryLayer, [Float])] = [
            (ReLU(), [0]), (ReLU(.init(maxValue: 2)), [0, 2]), (ReLU(.init(negativeSlope: 0.2, threshold: 0.5)), [0.5]),
            (ReLU(.init(maxValue: 2.5, negativeSlope: 0.1, threshold: 0.5)), [0.5, 2.5]), (LeakyReLU(), [0]),
            (ELU(), []), (ELU(.init(alpha: 0.4)), [0]), (ThresholdedReLU(), [1]),
        ]
        for (layer, kinks) in layers {
            // Central differences are meaningless across a kink: skip points within 2·eps of one.
            let report = GradientCheck.check(inputs: [input], skip: { _, i in kinks.contains { Swift.abs(input[flat: i] - $0) < 0.03 } }) {
                layer($0[0], training: false)
            }
            XCTAssertGreaterThan(report.checked, 18, "\(type(of: layer))")
        }
    }

    func testPReLUAlphaShapeAndGradients() throws {
        let layer = PReLU(PReLU.Config(sharedAxes: [1, 2]))
        var ctx = BuildContext(rng: RNG(seed: 1))
        XCTAssertEqual(try layer.build(inputShapes: [[3, 4, 2]], context: &ctx), [[3, 4, 2]])
        let alpha = try XCTUnwrap(layer.alpha)
        XCTAssertEqual(alpha.shape, [1, 1, 2])
        XCTAssertEqual(alpha.value[flat: 0], 0)   // zeros initializer
        alpha.value = Tensor(shape: [1, 1, 2], data: [0.25, -0.5])
        // y = x (x > 0), α_c · x (x ≤ 0), α per channel.
        let y = layer(Tensor(shape: [1, 1, 1, 2], data: [-2, -2]), training: false)
        XCTAssertEqual([y[flat: 0], y[flat: 1]], [-0.5, 1])
        let x = GradientCheck.random([2, 3, 4, 2], seed: 3)
        let report = GradientCheck.check(inputs: [x], parameters: [alpha], skip: { _, i in Swift.abs(x[flat: i]) < 0.03 }) {
            layer($0[0], training: false)
        }
        XCTAssertGreaterThan(report.checked, 40)
        XCTAssertThrowsError(try PReLU(PReLU.Config(sharedAxes: [4])).outputShape(for: [3, 4, 2]))
        XCTAssertThrowsError(try layer.outputShape(for: [3, 4, 5]))   // built for 2 channels
    }
}

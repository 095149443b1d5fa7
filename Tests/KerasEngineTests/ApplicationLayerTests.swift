import XCTest
@testable import KerasEngine

/// ConvNeXt's LayerScale and StochasticDepth, InceptionResNetV2's CustomScaleLayer:
/// values by hand, gradient checks, StochasticDepth's per-example drop in training.
final class ApplicationLayerTests: XCTestCase {
    var ctx = BuildContext(rng: RNG(seed: 1))

    func testLayerScale() throws {
        let layer = LayerScale(.init(initValues: 1e-6, projectionDim: 3))
        XCTAssertEqual(try layer.build(inputShapes: [[2, 3]], context: &ctx), [[2, 3]])
        let gamma = try XCTUnwrap(layer.gamma)
        XCTAssertEqual((0..<3).map { gamma.value[flat: $0] }, [1e-6, 1e-6, 1e-6])
        gamma.value = Tensor(shape: [3], data: [2, -1, 0.5])
        let y = layer(Tensor(shape: [1, 1, 3], data: [1, 2, 4]), training: false)
        XCTAssertEqual((0..<3).map { y[flat: $0] }, [2, -2, 2])
        let x = GradientCheck.random([2, 2, 3], seed: 8)
        GradientCheck.check(inputs: [x], parameters: [gamma]) { layer($0[0], training: false) }
        XCTAssertThrowsError(try layer.outputShape(for: [2, 4]))
    }

    func testStochasticDepthDropsWholeExamples() throws {
        let layer = StochasticDepth(dropPathRate: 0.25)
        _ = try layer.build(inputShapes: [[4, 5]], context: &ctx)
        let x = Tensor(shape: [400, 4, 5], repeating: 1)
        XCTAssertEqual(layer(x, training: false)[flat: 7], 1)   // inference: identity
        let y = layer(x, training: true)
        var kept = 0
        for b in 0..<400 {
            let values = Set((0..<20).map { y[flat: b * 20 + $0] })
            XCTAssertEqual(values.count, 1, "example \(b) is kept or dropped whole")
            let v = values.first ?? -1
            XCTAssertTrue(v == 0 || Swift.abs(v - 1 / 0.75) < 1e-6, "\(v)")
            if v != 0 { kept += 1 }
        }
        // kept ~ Binomial(400, 0.75): mean 300, sd 8.7; ±5 sd.
        XCTAssertTrue((257...343).contains(kept), "\(kept)")
        // The gradient is the mask: the same draw in every evaluation.
        let state = layer.randomState
        let g = GradientCheck.random([3, 4, 5], seed: 9)
        GradientCheck.check(inputs: [g]) { xs in layer.randomState = state; return layer(xs[0], training: true) }
        XCTAssertThrowsError(try StochasticDepth(dropPathRate: 1).outputShape(for: [3]))
    }

    func testCustomScaleLayer() throws {
        let layer = CustomScaleLayer(scale: 0.17)
        XCTAssertEqual(try layer.build(inputShapes: [[2, 3], [2, 3]], context: &ctx), [[2, 3]])
        XCTAssertThrowsError(try layer.build(inputShapes: [[2, 3]], context: &ctx))
        let y = layer.forward([Tensor(shape: [1, 2], data: [1, 2]), Tensor(shape: [1, 2], data: [10, -100])], training: false)[0]
        XCTAssertEqual(y[flat: 0], 2.7, accuracy: 1e-6)
        XCTAssertEqual(y[flat: 1], -15, accuracy: 1e-5)
        let a = GradientCheck.random([2, 2, 3], seed: 10), b = GradientCheck.random([2, 2, 3], seed: 11)
        GradientCheck.check(inputs: [a, b]) { layer.forward($0, training: false)[0] }
    }
}

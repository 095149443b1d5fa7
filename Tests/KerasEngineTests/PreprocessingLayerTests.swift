import XCTest
@testable import KerasEngine

/// Rescaling and Normalization as model layers: values by hand, weights' shapes as Keras
/// builds them, shape errors, and gradients with respect to the input.
final class PreprocessingLayerTests: XCTestCase {
    func testRescalingScalarAndPerChannel() throws {
        let x = Tensor(shape: [1, 2, 3], data: [0, 255, 51, 10, 20, 30])
        let y = Rescaling(.init(scale: [1.0 / 127.5], offset: [-1]))(x, training: false)
        XCTAssertEqual(y[flat: 0], -1, accuracy: 1e-6)
        XCTAssertEqual(y[flat: 1], 1, accuracy: 1e-6)
        let per = Rescaling(.init(scale: [1, 2, 3], offset: [0, 1, 2]))
        XCTAssertEqual(try per.outputShape(for: [2, 3]), [2, 3])
        let z = per(x, training: false)
        XCTAssertEqual((0..<6).map { z[flat: $0] }, [0, 511, 155, 10, 41, 92])
        XCTAssertThrowsError(try per.outputShape(for: [2, 4]))
        let g = GradientCheck.random([2, 2, 3], seed: 2)
        GradientCheck.check(inputs: [g]) { per($0[0], training: false) }
    }

    func testNormalizationFromConfig() throws {
        // (x − mean) / max(√variance, 1e-7), per channel; invert: mean + x · √variance.
        let layer = Normalization(.init(mean: [1, -2], variance: [4, 0.25]))
        XCTAssertEqual(try layer.build(inputShapes: [[3, 2]], context: &ctx), [[3, 2]])
        XCTAssertTrue(layer.parameters.isEmpty)
        let x = Tensor(shape: [1, 1, 2], data: [5, -1])
        let y = layer(x, training: false)
        XCTAssertEqual([y[flat: 0], y[flat: 1]], [2, 2])
        let inv = Normalization(.init(mean: [1, -2], variance: [4, 0.25], invert: true))
        _ = try inv.build(inputShapes: [[3, 2]], context: &ctx)
        let back = inv(y, training: false)
        XCTAssertEqual([back[flat: 0], back[flat: 1]], [5, -1])
        // Zero variance divides by ε = 1e-7, as Keras.
        let zero = Normalization(.init(mean: [0], variance: [0]))
        _ = try zero.build(inputShapes: [[2]], context: &ctx)
        XCTAssertEqual(zero(Tensor(shape: [1, 2], data: [1e-7, 0]), training: false)[flat: 0], 1, accuracy: 1e-5)
        XCTAssertThrowsError(try Normalization(.init(mean: [1, 2, 3], variance: [1, 1, 1])).outputShape(for: [3, 2]))
        XCTAssertThrowsError(try Normalization(.init(axis: [0])).outputShape(for: [3, 2]))
        let g = GradientCheck.random([2, 3, 2], seed: 4)
        GradientCheck.check(inputs: [g]) { layer($0[0], training: false) }
        GradientCheck.check(inputs: [g]) { inv($0[0], training: false) }
    }

    var ctx = BuildContext(rng: RNG(seed: 1))

    func testNormalizationWeightsInKerasOrderAndShapes() throws {
        let layer = Normalization(.init(axis: [1, 2]))
        _ = try layer.build(inputShapes: [[3, 4, 2]], context: &ctx)
        XCTAssertEqual(layer.parameters.map(\.name), ["normalization/mean", "normalization/variance", "normalization/count"])
        XCTAssertEqual(layer.parameters.map(\.shape), [[3, 4], [3, 4], []])
        XCTAssertFalse(layer.parameters.contains { $0.trainable })
        // Unloaded: mean 0, variance 1, the identity (Keras's un-adapted layer).
        let x = GradientCheck.random([2, 3, 4, 2], seed: 6)
        let same = layer(x, training: false)
        XCTAssertEqual((0..<x.count).map { same[flat: $0] }, (0..<x.count).map { x[flat: $0] })
        // Statistics per (row, column), shared by the channels.
        layer.parameters[0].value = Tensor(shape: [3, 4], data: (0..<12).map(Float.init))
        layer.parameters[1].value = Tensor(shape: [3, 4], repeating: 4)
        let y = layer(Tensor(shape: [1, 3, 4, 2], repeating: 10), training: false)
        XCTAssertEqual(y[flat: 0], 5)          // (10 − 0) / 2
        XCTAssertEqual(y[flat: 1], 5)          // same (row, column), next channel
        XCTAssertEqual(y[flat: 2 * 5], 2.5)    // (10 − 5) / 2
        GradientCheck.check(inputs: [x]) { layer($0[0], training: false) }
        // axis [] (Keras's None): one scalar statistic.
        let global = Normalization(.init(axis: []))
        _ = try global.build(inputShapes: [[3]], context: &ctx)
        XCTAssertEqual(global.parameters.map(\.shape), [[], [], []])
    }
}

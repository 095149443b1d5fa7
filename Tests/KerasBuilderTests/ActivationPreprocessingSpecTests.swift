import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// The activation, preprocessing and keras.applications layers and the constraints from
/// YAML: Keras's defaults and main arguments, every entry building, located errors.
final class ActivationPreprocessingSpecTests: XCTestCase {
    func layer(_ yaml: String, input: String = "[4, 3]") throws -> any Layer { try OneLayerSpec.layer(yaml, input: input) }

    func model(_ text: String) throws -> Model { try OneLayerSpec.model(text) }

    func assertError(_ yaml: String, _ message: String, input: String = "[4, 3]", file: StaticString = #filePath, line: UInt = #line) {
        OneLayerSpec.assertError(yaml, message, input: input, file: file, line: line)
    }

    func testDefaultsAndMainArguments() throws {
        XCTAssertEqual(try XCTUnwrap(try layer("ReLU") as? ReLU).config, ReLU.Config(maxValue: nil, negativeSlope: 0, threshold: 0))
        XCTAssertEqual(try XCTUnwrap(try layer("ReLU: 6") as? ReLU).config.maxValue, 6)
        XCTAssertEqual(try XCTUnwrap(try layer("ReLU: {max_value: null, threshold: 0.5}") as? ReLU).config.threshold, 0.5)
        XCTAssertEqual(try XCTUnwrap(try layer("LeakyReLU") as? LeakyReLU).config.negativeSlope, 0.3)
        XCTAssertEqual(try XCTUnwrap(try layer("LeakyReLU: 0.1") as? LeakyReLU).config.negativeSlope, 0.1)
        XCTAssertEqual(try XCTUnwrap(try layer("LeakyReLU: {alpha: 0.2}") as? LeakyReLU).config.negativeSlope, 0.2)   // Keras 2
        XCTAssertEqual(try XCTUnwrap(try layer("ELU") as? ELU).config.alpha, 1)
        XCTAssertEqual(try XCTUnwrap(try layer("ThresholdedReLU") as? ThresholdedReLU).config.theta, 1)
        let prelu = try XCTUnwrap(try layer("PReLU: {shared_axes: 1, alpha_initializer: {Constant: 0.25}, alpha_constraint: non_neg}") as? PReLU)
        XCTAssertEqual(prelu.config.sharedAxes, [1])
        XCTAssertTrue(prelu.config.alphaConstraint is NonNeg)
        XCTAssertEqual(try XCTUnwrap(try layer("Rescaling: 0.5") as? Rescaling).config, Rescaling.Config(scale: [0.5], offset: [0]))
        XCTAssertEqual(try XCTUnwrap(try layer("Rescaling: {scale: [1, 2, 3], offset: -1}") as? Rescaling).config,
                       Rescaling.Config(scale: [1, 2, 3], offset: [-1]))
        XCTAssertEqual(try XCTUnwrap(try layer("Normalization") as? Normalization).config, Normalization.Config(axis: [-1]))
        XCTAssertEqual(try XCTUnwrap(try layer("Normalization: {axis: null}") as? Normalization).config.axis, [])
        XCTAssertEqual(try XCTUnwrap(try layer("Normalization: {axis: [1, 2], mean: 3, variance: 2, invert: true}") as? Normalization).config,
                       Normalization.Config(axis: [1, 2], mean: [3], variance: [2], invert: true))
        XCTAssertEqual(try XCTUnwrap(try layer("StochasticDepth: 0.1") as? StochasticDepth).dropPathRate, 0.1)
        XCTAssertEqual(try XCTUnwrap(try layer("LayerScale: {init_values: 1.0e-6, projection_dim: 3}") as? LayerScale).config.projectionDim, 3)
        XCTAssertEqual(try XCTUnwrap(try layer("CustomScaleLayer: 0.17") as? CustomScaleLayer).scale, 0.17)
    }

    func testConstraintsFromYAML() throws {
        let dense = try XCTUnwrap(try model("""
            model:
              input_shape: [4]
              layers:
                - Dense: {units: 3, kernel_constraint: {MaxNorm: 3}, bias_constraint: non_neg}
            """).layers.first)
        XCTAssertEqual(dense.parameters.first?.constraint as? MaxNorm, MaxNorm(maxValue: 3, axis: [0]))
        XCTAssertEqual(dense.parameters.last?.constraint as? NonNeg, NonNeg())
        let conv = try XCTUnwrap(try layer("Conv2D: {filters: 2, kernel_size: 3, kernel_constraint: {unit_norm: {axis: [0, 1, 2]}}}", input: "[5, 5, 1]") as? Convolution)
        XCTAssertEqual(conv.config.kernelConstraint as? UnitNorm, UnitNorm(axis: [0, 1, 2]))
        let sep = try XCTUnwrap(try layer("SeparableConv1D: {filters: 2, kernel_size: 3, depthwise_constraint: max_norm, pointwise_constraint: {min_max_norm: {rate: 0.5}}}") as? SeparableConvolution)
        XCTAssertEqual(sep.config.kernelConstraint as? MaxNorm, MaxNorm())
        XCTAssertEqual(sep.config.pointwiseConstraint as? MinMaxNorm, MinMaxNorm(rate: 0.5))
        let lstm = try XCTUnwrap(try layer("LSTM: {units: 2, recurrent_constraint: unit_norm, kernel_constraint: non_neg}") as? LSTM)
        XCTAssertTrue(lstm.config.recurrentConstraint is UnitNorm)
        XCTAssertTrue(lstm.config.kernelConstraint is NonNeg)
        let bn = try XCTUnwrap(try layer("BatchNormalization: {gamma_constraint: non_neg, beta_constraint: {MaxNorm: {max_value: 1, axis: 0}}}") as? BatchNormalization)
        XCTAssertTrue(bn.config.gammaConstraint is NonNeg)
        XCTAssertTrue(try XCTUnwrap(try layer("Embedding: {input_dim: 5, output_dim: 2, embeddings_constraint: unit_norm}") as? Embedding).config.embeddingsConstraint is UnitNorm)
        for name in ConstraintRegistry.table.allNames {
            XCTAssertNotNil(try layer("Dense: {units: 1, kernel_constraint: \(name)}"), name)
        }
    }

    func testEveryNewEntryBuildsAndCountsKerasParameters() throws {
        let m = try model("""
            model:
              type: functional
              inputs: [{Input: {name: x, shape: [4, 4, 3]}}]
              layers:
                - Rescaling: {name: r, scale: 0.5, offset: [0, 1, 2], inputs: x}
                - Normalization: {name: n, inputs: r}
                - Normalization: {name: n2, mean: [0, 1, 2], variance: [4, 4, 4], inputs: n}
                - ReLU: {name: a, max_value: 6, inputs: n2}
                - LeakyReLU: {name: b, inputs: a}
                - PReLU: {name: c, shared_axes: [1, 2], inputs: b}
                - ELU: {name: d, inputs: c}
                - ThresholdedReLU: {name: e, theta: 0.1, inputs: d}
                - LayerScale: {name: f, init_values: 0.5, projection_dim: 3, inputs: e}
                - StochasticDepth: {name: g, drop_path_rate: 0.2, inputs: f}
                - CustomScaleLayer: {name: h, scale: 0.3, inputs: [g, e]}
              outputs: [h]
            """)
        // Keras: Normalization's mean 3 + variance 3 + count 1, PReLU 3, LayerScale 3.
        XCTAssertEqual(m.parameterCount, 13)
        XCTAssertEqual(m.layers.map(\.typeName), ["Rescaling", "Normalization", "Normalization", "ReLU", "LeakyReLU", "PReLU", "ELU",
                                                  "ThresholdedReLU", "LayerScale", "StochasticDepth", "CustomScaleLayer"])
        let y = m.predict([Tensor(shape: [2, 4, 4, 3], repeating: 1)])[0]
        XCTAssertEqual(y.shape, [2, 4, 4, 3])
    }

    func testBadArgumentsAreLocated() {
        assertError("ReLU: {max_value: -1}", "t.yaml:4:25: model.layers[0] (ReLU): max_value must be a number in [0, inf], got -1")
        assertError("LeakyReLU: {negative_slope: 0.1, alpha: 0.2}",
                    "t.yaml:4:47: model.layers[0] (LeakyReLU): give negative_slope or Keras 2's alpha, not both")
        assertError("Dense: {units: 2, kernel_constraint: max_nrom}",
                    "t.yaml:4:44: model.layers[0].kernel_constraint (max_nrom): unknown constraint 'max_nrom'; did you mean 'max_norm'?")
        assertError("Normalization: {mean: [1, 2, 3]}",
                    "t.yaml:4:29: model.layers[0] (Normalization): give both mean and variance, or neither (then they are weights)")
        assertError("Normalization: {mean: [1, 2], variance: [1, 1]}",
                    "t.yaml:4:7: model.layers[0] (Normalization): Normalization mean and variance have 2 values; expected 1 or 3 (the size of the last axis in [-1]) for input (None, 4, 3)")
        assertError("PReLU: {shared_axes: [0]}",
                    "t.yaml:4:28: model.layers[0] (PReLU): shared_axes must name non-batch axes (1 or more; the batch is axis 0), got [0]")
        assertError("Rescaling: {scale: [1, 2]}",
                    "t.yaml:4:7: model.layers[0] (Rescaling): Rescaling scale has 2 values; expected 1 or one per channel (3) for input (None, 4, 3)")
        assertError("StochasticDepth: 1", "t.yaml:4:24: model.layers[0] (StochasticDepth): drop_path_rate must be a number in [0, 1), got 1")
        assertError("LayerScale: {init_values: 1, projection_dim: 5}",
                    "t.yaml:4:7: model.layers[0] (LayerScale): LayerScale with projection_dim 5 does not fit input (None, 4, 3) (its last axis must be 5)")
    }
}

import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// EinsumDense, GroupNormalization, UnitNormalization, SinePositionEncoding and
/// TransformerDecoder in YAML: Keras's defaults, several inputs in the decoder's call
/// order, and errors located at the bad argument.
final class AttentionLayerSpecTests: XCTestCase {
    func build(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]") throws -> Model {
        let text = """
            model:
              inputs: \(inputs)
              layers:
            \(layers)
              outputs: y
            """
        return try ModelBuilder.build(try Spec.parse(text: text, file: "a.yaml"))
    }

    func error(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]") -> String {
        do { _ = try build(layers, inputs: inputs); return "no error" } catch { return "\(error)" }
    }

    func testDefaults() throws {
        let e = try XCTUnwrap(try build("    - EinsumDense: {name: y, equation: 'abc,cde->abde', output_shape: [null, 2, 4], bias_axes: de, inputs: x}")
            .layers.first as? EinsumDense)
        XCTAssertEqual(e.parameters.map(\.shape), [[6, 2, 4], [2, 4]])
        let noBias = try XCTUnwrap(try build("    - EinsumDense: {name: y, equation: '...b,bc->...c', output_shape: 3, inputs: x}").layers.first)
        XCTAssertEqual(noBias.parameters.map(\.shape), [[6, 3]])
        let g = try XCTUnwrap(try build("    - GroupNormalization: {name: y, groups: 3, inputs: x}").layers.first as? GroupNormalization)
        XCTAssertEqual(g.config.epsilon, 1e-3)
        XCTAssertEqual(g.parameters.map(\.shape), [[6], [6]])
        let d = try XCTUnwrap(try build("    - TransformerDecoder: {name: y, intermediate_dim: 8, num_heads: 2, inputs: [x, e]}",
                                        inputs: "[{Input: {name: x, shape: [5, 6]}}, {Input: {name: e, shape: [3, 4]}}]").layers.first as? TransformerDecoder)
        XCTAssertTrue(d.config.useCausalMask)
        XCTAssertEqual(d.config.layerNormEpsilon, 1e-5)
        XCTAssertEqual(d.parameters.count, 26)
        XCTAssertEqual(d.parameters[12].shape, [4, 2, 3], "cross-attention key kernel reads the encoder's 4 features")
    }

    /// specs/sunspots_decoder.yaml builds with the parameter count real Keras + keras_hub
    /// give the same model (sunspots_decoder_keras.py: 2,273).
    func testSunspotsDecoderSpecMatchesKerasCount() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let model = try ModelBuilder.build(try Spec.load(path: root.appendingPathComponent("specs/sunspots_decoder.yaml").path))
        // Dense 1·16+16; decoder: attention 3·(16·16+16) + 16·16+16, two layer norms 2·32,
        // feed-forward 16·32+32 + 32·16+16; Dense 16+1.
        XCTAssertEqual(model.parameterCount, 32 + (4 * 272 + 64 + 544 + 528) + 17)
        XCTAssertEqual(model.parameterCount, 2_273)
    }

    func testLocatedErrors() {
        let bad = error("    - EinsumDense: {name: y, equation: 'abc,cd', output_shape: 3, inputs: x}")
        XCTAssertTrue(bad.contains("a.yaml:4:") && bad.contains("Invalid einsum equation"), bad)
        XCTAssertTrue(error("    - EinsumDense: {name: y, equation: 'abc,bcd->abd', output_shape: [5, 3], inputs: x}").contains("batched kernel"))
        XCTAssertTrue(error("    - EinsumDense: {name: y, equation: 'abc,cd->abd', output_shape: [7, 3], inputs: x}").contains("shared dimension 'b'"))
        XCTAssertTrue(error("    - EinsumDense: {name: y, equation: 'abc,cd->abd', inputs: x}").contains("output_shape"))
        XCTAssertTrue(error("    - EinsumDense: {name: y, equation: 'abc,cd->abd', output_shape: 3, lora_rank: 4, inputs: x}").contains("lora_rank"))
        XCTAssertTrue(error("    - EinsumDense: {name: y, equation: 'abc,cd->abd', output_shape: [null, 3], use_bias: true, inputs: x}").contains("use_bias"))
        XCTAssertTrue(error("    - GroupNormalization: {name: y, groups: 0, inputs: x}").contains("groups"))
        XCTAssertTrue(error("    - GroupNormalization: {name: y, groups: 4, inputs: x}").contains("multiple"))
        XCTAssertTrue(error("    - UnitNormalization: {name: y, axis: 0, inputs: x}").contains("batch"))
        XCTAssertTrue(error("    - SinePositionEncoding: {name: y, max_wavelength: -1, inputs: x}").contains("max_wavelength"))
        XCTAssertTrue(error("    - TransformerDecoder: {name: y, intermediate_dim: 8, num_heads: 7, inputs: x}").contains("num_heads"))
        XCTAssertTrue(error("    - TransformerDecoder: {name: y, intermediate_dim: 8, num_head: 2, inputs: x}").contains("did you mean"))
    }
}

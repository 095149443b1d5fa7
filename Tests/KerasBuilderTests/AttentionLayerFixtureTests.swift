import Foundation
import XCTest
import KerasSpec
@testable import KerasEngine
@testable import KerasBuilder

/// EinsumDense, GroupNormalization, UnitNormalization and keras_hub's SinePositionEncoding
/// and TransformerDecoder against real Keras 3 / keras_hub
/// (Fixtures/keras_attention_layers/attention_layers.json, made by gen_attention_layers.py
/// beside it). Each layer comes from a model Keras wrote with `to_json()`, built by the
/// Keras JSON importer and the layer registry (so the entries read Keras's own configs),
/// given Keras's weights; outputs, input gradients and weight gradients must be Keras's.
final class AttentionLayerFixtureTests: XCTestCase {
    var cases: [[String: Any]] {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/keras_attention_layers/attention_layers.json")
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            return try XCTUnwrap(json["layers"] as? [[String: Any]])
        }
    }

    func testLayersMatchKeras() throws {
        let ran = try KerasLayerFixtureTests.checkLayerCases(try cases)
        // 9 EinsumDense equations, 4 GroupNormalization, 3 UnitNormalization, 2 sine, 4 decoders.
        XCTAssertEqual(ran.count, 22, "\(ran)")
    }

    /// The decoder's use_causal_mask call argument, read from the Keras call.
    func testDecoderCallArgumentsFromKerasJSON() throws {
        let c = try XCTUnwrap(try cases.first { $0["name"] as? String == "decoder_not_causal" })
        let model = try KerasLayerFixtureTests.model(c)
        let decoder = try XCTUnwrap(model.layers.first { $0.name == "target" } as? TransformerDecoder)
        XCTAssertFalse(decoder.config.useCausalMask)
        XCTAssertEqual(decoder.config.activation, .silu)
        let cross = try XCTUnwrap(try cases.first { $0["name"] as? String == "decoder_cross_first_gelu" })
        let first = try XCTUnwrap(try KerasLayerFixtureTests.model(cross).layers.first { $0.name == "target" } as? TransformerDecoder)
        XCTAssertTrue(first.config.useCausalMask)
        XCTAssertTrue(first.config.normalizeFirst)
        XCTAssertEqual(first.config.layerNormEpsilon, 1e-6)
    }
}

import Foundation
import XCTest
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// Models with MultiHeadAttention saved by real Keras 3
/// (`Fixtures/keras_graph/gen_attention_models.py`): a Transformer encoder block, and
/// cross attention called with `key=`, `attention_mask=`, `use_causal_mask=True`,
/// `return_attention_scores=True` and `query=`/`value=` by keyword. Each predicts as Keras
/// does from `.keras`, legacy `.h5` and JSON + weights, and exports back unchanged; so do
/// keras_hub's PositionEmbedding, TokenAndPositionEmbedding (feeding causal attention) and
/// TransformerEncoder (post-norm with dropout, then pre-norm). The mask models
/// (gen_attention_masks.py) carry Embedding(mask_zero) / TokenAndPositionEmbedding(mask_zero)
/// masks through MultiHeadAttention, TransformerEncoder, Attention, AdditiveAttention and
/// the merges into GlobalAveragePooling1D; their raw attention outputs are compared too.
class KerasAttentionFileTests: XCTestCase {
    class var names: [String] { ["encoder_block", "attention_kwargs", "position_embedding", "token_position", "hub_encoder"] + maskNames }
    /// Keras masks through attention, merges and pooling (gen_attention_masks.py).
    static let maskNames = ["mask_mha", "mask_encoder", "mask_merges", "score_attention", "gqa_model", "axes_model"]

    func check(_ loaded: LoadedKerasModel, _ name: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let io = try KerasModelFixtures.io(name)
        XCTAssertEqual(loaded.model.parameterCount, io.params, "\(what) parameter count", file: file, line: line)
        let outputs = loaded.model.predict(io.inputs)
        XCTAssertEqual(outputs.count, io.outputs.count, "\(what) outputs", file: file, line: line)
        for (k, (got, want)) in zip(outputs, io.outputs).enumerated() {
            KerasModelFixtures.assertClose(got, want, tolerance: 1e-5, "\(what) output \(k)", file: file, line: line)
        }
    }

    func testFilesPredictAsKeras() throws {
        for name in Self.names {
            try check(try KerasFile.load(path: KerasModelFixtures.path("\(name).keras")), name, "\(name).keras")
            try check(try KerasFile.load(path: KerasModelFixtures.path("\(name).h5")), name, "\(name).h5")
            try check(try KerasFile.load(json: KerasModelFixtures.path("\(name).json"), weights: KerasModelFixtures.path("\(name).weights.h5")),
                      name, "\(name) json+weights")
        }
    }

    /// The call keywords become spec arguments: query and value positional, key after
    /// them, attention_mask by name, the flags as arguments.
    func testKeywordsBecomeSpecArguments() throws {
        let keras = try KerasJSON.load(path: KerasModelFixtures.path("attention_kwargs.json"))
        guard case let .functional(f) = keras.spec else { return XCTFail("expected a functional spec") }
        let cross = try XCTUnwrap(f.layers.first { $0.name == "cross" })
        XCTAssertEqual(cross.inputs, ["q", "v", "k", "m"])
        XCTAssertEqual(cross.object.callTensors, ["attention_mask"])
        let selfAttention = try XCTUnwrap(f.layers.first { $0.name == "self" })
        XCTAssertEqual(selfAttention.inputs, ["cross", "cross"])
    }

    /// Export writes the sub-layer groups in Keras's layout and the call keywords into the
    /// inbound nodes; the file loads back with the same weights and predictions.
    func testExportRoundTrip() throws {
        for name in Self.names {
            let loaded = try KerasFile.load(path: KerasModelFixtures.path("\(name).keras"))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).keras").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try KerasExport.write(model: loaded.model, spec: loaded.keras.spec, name: name, to: path)
            let back = try KerasFile.load(path: path)
            // By name: a graph whose mask-only operations were pruned may list its layers in
            // another (equally topological) order once written back.
            func weights(_ m: LoadedKerasModel) -> [String: [Float]] {
                Dictionary(m.model.parameters.map { ($0.name, $0.value.scalars) }, uniquingKeysWith: { a, _ in a })
            }
            XCTAssertEqual(weights(back), weights(loaded), name)
            try check(back, name, "\(name) exported")
            let config = try KerasExport.modelConfig(model: loaded.model, spec: loaded.keras.spec, name: name)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
            XCTAssertFalse(text.contains("\"use_causal_mask\":true,\"num_heads\""), "call arguments stay out of the layer config")
            if name == "attention_kwargs" {
                XCTAssertTrue(text.contains("\"use_causal_mask\":true"), "use_causal_mask written as a call keyword")
                XCTAssertTrue(text.contains("\"attention_mask\":{"), "attention_mask written as a tensor keyword")
            }
        }
    }
}

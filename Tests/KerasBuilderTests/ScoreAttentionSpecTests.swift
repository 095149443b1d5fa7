import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Attention, AdditiveAttention and GroupQueryAttention in YAML (Keras's names,
/// arguments and defaults, call arguments as spec arguments, located errors), masks
/// flowing from Embedding(mask_zero) through attention into GlobalAveragePooling1D, and
/// specs/text_transformer.yaml building with Keras's parameter count.
final class ScoreAttentionSpecTests: XCTestCase {
    let spec = AttentionSpecTests.self

    func testScoreAttentionDefaults() throws {
        let model = try spec.build("""
                - Attention: {name: y, inputs: [x, x]}
                - AdditiveAttention: {name: z, inputs: [x, x], use_causal_mask: true}
                - Attention: {name: w, inputs: [x, x, x], use_scale: true, score_mode: concat, return_attention_scores: true}
            """, outputs: "[y, z, w, \"w:1\"]")
        let dot = try XCTUnwrap(model.layers.first { $0.name == "y" } as? Attention)
        XCTAssertEqual(dot.parameters.count, 0, "Keras: use_scale false, score_mode dot")
        let additive = try XCTUnwrap(model.layers.first { $0.name == "z" } as? AdditiveAttention)
        XCTAssertEqual(additive.parameters.map(\.name), ["z/scale"], "Keras: use_scale true, a (dim,) scale")
        XCTAssertEqual(additive.parameters.map(\.shape), [[6]])
        XCTAssertTrue(additive.options.useCausalMask)
        let concat = try XCTUnwrap(model.layers.first { $0.name == "w" } as? Attention)
        XCTAssertEqual(concat.parameters.map(\.name), ["w/scale", "w/concat_score_weight"])
        XCTAssertEqual(concat.parameters.map(\.shape), [[], []])
        XCTAssertEqual(model.predict([Tensor(shape: [2, 5, 6], repeating: 0.5)]).map(\.shape), [[2, 5, 6], [2, 5, 6], [2, 5, 6], [2, 5, 5]])
    }

    func testGroupQueryAttention() throws {
        let model = try spec.build("""
                - GroupQueryAttention: {name: y, head_dim: 3, num_query_heads: 4, num_key_value_heads: 2, inputs: [x, x], use_causal_mask: true}
            """)
        let gqa = try XCTUnwrap(model.layers.first as? GroupQueryAttention)
        XCTAssertEqual(gqa.parameters.map(\.shape), [[6, 4, 3], [4, 3], [6, 2, 3], [2, 3], [6, 2, 3], [2, 3], [4, 3, 6], [6]])
        XCTAssertEqual(gqa.parameters.map(\.name).first, "y/query/kernel")
        XCTAssertEqual(model.layers.first?.typeName, "GroupedQueryAttention")
        XCTAssertNoThrow(try spec.build("    - GroupedQueryAttention: {name: y, head_dim: 2, num_query_heads: 2, num_key_value_heads: 1, inputs: [x, x], flash_attention: false}"))
    }

    func testLocatedErrors() {
        let bad = [
            ("    - Attention: {name: y, inputs: [x, x], score_mode: dots}", "score_mode"),
            ("    - Attention: {name: y, inputs: [x, x], use_scales: true}", "did you mean"),
            ("    - Attention: {name: y, inputs: x}", "accepts inputs list of length 2 or 3"),
            ("    - AdditiveAttention: {name: y, inputs: [x, x], dropout: 1.5}", "dropout"),
            ("    - GroupQueryAttention: {name: y, head_dim: 2, num_query_heads: 3, num_key_value_heads: 2, inputs: [x, x]}", "divisible"),
            ("    - GroupQueryAttention: {name: y, num_query_heads: 2, num_key_value_heads: 1, inputs: [x, x]}", "head_dim"),
            ("    - GroupQueryAttention: {name: y, head_dim: 2, num_query_heads: 2, num_key_value_heads: 1, inputs: [x, x], use_gate: true}", "use_gate"),
            ("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: [x, x], attention_axes: [0]}", "attention_axes"),
        ]
        for (layer, expected) in bad {
            let message = spec.error(layer)
            XCTAssertTrue(message.contains(expected) && message.hasPrefix("a.yaml:"), "\(layer): \(message)")
        }
    }

    /// Embedding(mask_zero) → MultiHeadAttention → GlobalAveragePooling1D: with the mask,
    /// a sentence padded with zeros gives what the same model gives it unpadded (padded keys
    /// masked, padded queries left out of the mean); without it, it does not.
    func testPaddingMaskFlowsThroughAttentionIntoPooling() throws {
        func model(_ steps: Int, _ maskZero: Bool) throws -> Model {
            try spec.build("""
                    - Embedding: {name: e, input_dim: 10, output_dim: 4, mask_zero: \(maskZero), inputs: ids}
                    - MultiHeadAttention: {name: a, num_heads: 2, key_dim: 2, inputs: [e, e]}
                    - GlobalAveragePooling1D: {name: y, inputs: a}
                """, inputs: "[{Input: {name: ids, shape: [\(steps)]}}]")
        }
        for maskZero in [true, false] {
            let padded = try model(6, maskZero), short = try model(3, maskZero)
            for (p, q) in zip(short.parameters, padded.parameters) { p.value = q.value }
            let a = padded.predict([Tensor(shape: [1, 6], data: [3, 5, 2, 0, 0, 0])])[0]
            let b = short.predict([Tensor(shape: [1, 3], data: [3, 5, 2])])[0]
            let same = zip(a.scalars, b.scalars).allSatisfy { Swift.abs($0 - $1) < 1e-5 }
            XCTAssertEqual(same, maskZero, "mask_zero \(maskZero): padded equals unpadded")
        }
    }

    /// specs/text_transformer.yaml builds with the parameter count real Keras gives the
    /// same model (text_transformer_keras.py: 10,402).
    func testTextTransformerSpecMatchesKerasCount() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../specs/text_transformer.yaml").path
        let model = try ModelBuilder.build(try Spec.load(path: path))
        XCTAssertEqual(model.parameterCount, 10_402)
    }
}

import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// MultiHeadAttention in YAML: tensors in Keras's call order (query, value[, key]), the
/// call arguments `use_causal_mask`, `return_attention_scores` and `attention_mask: <tensor>`
/// as spec arguments, Keras's defaults, and located errors.
final class AttentionSpecTests: XCTestCase {
    func build(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]", outputs: String = "y") throws -> Model {
        try Self.build(layers, inputs: inputs, outputs: outputs)
    }

    func error(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]") -> String {
        Self.error(layers, inputs: inputs)
    }

    /// A functional model of `layers` (YAML lines) from `inputs` to `outputs`, parsed as `a.yaml`.
    static func build(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]", outputs: String = "y") throws -> Model {
        let text = """
            model:
              inputs: \(inputs)
              layers:
            \(layers)
              outputs: \(outputs)
            """
        return try ModelBuilder.build(try Spec.parse(text: text, file: "a.yaml"))
    }

    static func error(_ layers: String, inputs: String = "[{Input: {name: x, shape: [5, 6]}}]") -> String {
        do { _ = try build(layers, inputs: inputs); return "no error" } catch { return "\(error)" }
    }

    func testSelfAttentionDefaults() throws {
        let model = try build("    - MultiHeadAttention: {name: y, num_heads: 4, key_dim: 16, inputs: [x, x]}")
        let mha = try XCTUnwrap(model.layers.first as? MultiHeadAttention)
        // Keras: value_dim = key_dim, output = query features, biases on, dropout 0.
        XCTAssertEqual(mha.parameters.map(\.shape), [[6, 4, 16], [4, 16], [6, 4, 16], [4, 16], [6, 4, 16], [4, 16], [4, 16, 6], [6]])
        XCTAssertEqual(mha.parameters.map(\.name).first, "y/query/kernel")
        XCTAssertEqual(model.parameterCount, 3 * (6 * 64 + 64) + 64 * 6 + 6)
        XCTAssertEqual(mha.config.dropout, 0)
        XCTAssertFalse(mha.config.useCausalMask)
    }

    /// Causal self-attention: the first query position attends only to itself, so its
    /// output is the same whatever the later positions hold.
    func testCausalMaskAndMaskTensor() throws {
        let model = try build("""
                - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 3, inputs: [x, x], use_causal_mask: true}
            """)
        var rng = RNG(seed: 2)
        var a = Tensor(shape: [1, 5, 6])
        for i in 0..<a.count { a[flat: i] = Float(rng.normal()) }
        var b = a
        for i in 6..<b.count { b[flat: i] = Float(rng.normal()) }
        let ya = model.predict([a])[0], yb = model.predict([b])[0]
        for j in 0..<6 { XCTAssertEqual(ya[flat: j], yb[flat: j], accuracy: 1e-6) }
        XCTAssertNotEqual(ya[flat: 6], yb[flat: 6])

        let masked = try build("""
                - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 3, inputs: [x, x], attention_mask: m, return_attention_scores: true}
            """, inputs: "[{Input: {name: x, shape: [5, 6]}}, {Input: {name: m, shape: [5, 5]}}]", outputs: "[y, 'y:1']")
        var m = Tensor(shape: [1, 5, 5], repeating: 1)
        m[flat: 3] = 0  // query 0 may not attend to key 3
        let outs = masked.predict([a, m])
        XCTAssertEqual(outs[1].shape, [1, 2, 5, 5])
        XCTAssertEqual(outs[1][flat: 3], 0)
        XCTAssertEqual((0..<5).reduce(Float(0)) { $0 + outs[1][flat: $1] }, 1, accuracy: 1e-5)
    }

    func testLocatedErrors() {
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, inputs: [x, x]}").contains("key_dim"))
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: x}").contains("takes query, value[, key]"))
        XCTAssertTrue(error("    - Dense: {name: y, units: 2, inputs: x, attention_mask: x}").contains("attention_mask is a call argument of the attention layers"))
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: [x, x], attention_axes: [2]}").contains("attention_axes"))
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: [x, x], use_gate: true}").contains("use_gate"))
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: [x, x], key_dims: 2}").contains("did you mean"))
        XCTAssertTrue(error("    - MultiHeadAttention: {name: y, num_heads: 2, key_dim: 2, inputs: [x, x], attention_mask: [x]}").contains("attention_mask must name a tensor"))
    }

    /// specs/fashion_transformer.yaml builds with the parameter count real Keras gives the
    /// same model (fashion_transformer_keras.py: 23,274), layer by layer.
    func testFashionTransformerSpecMatchesKerasCount() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let model = try ModelBuilder.build(try Spec.load(path: root.appendingPathComponent("specs/fashion_transformer.yaml").path))
        XCTAssertEqual(model.parameterCount, 23_274)
        // Dense 28·32+32, positions 28·32, attention 3·(32·128+128) + 128·32+32, two
        // LayerNormalizations 2·64, feed-forward 32·64+64 + 64·32+32, classes 32·10+10.
        XCTAssertEqual(model.layers.map(\.parameterCount), [928, 896, 0, 16_800, 0, 64, 2_112, 2_080, 0, 64, 0, 330])
    }

    /// The memory budget counts the attention scores (heads · T · S per example), not
    /// just the layer's output: 64 heads over 30,000 tokens would need 230 GB an example.
    func testScoresCountInTheMemoryBudget() throws {
        let big = try build("    - MultiHeadAttention: {name: y, num_heads: 64, key_dim: 2, inputs: [x, x]}",
                            inputs: "[{Input: {name: x, shape: [30000, 8]}}]")
        let problem = try XCTUnwrap(MemoryBudget.batchProblem(model: big, batchSize: 32, training: true))
        XCTAssertTrue(problem.contains("activation values per example"), problem)
        let small = try build("    - MultiHeadAttention: {name: y, num_heads: 4, key_dim: 8, inputs: [x, x]}")
        XCTAssertNil(MemoryBudget.batchProblem(model: small, batchSize: 32, training: true))
    }
}

import XCTest
@testable import KerasEngine

/// MultiHeadAttention against real Keras (`Fixtures/keras_reference/attention.json` from
/// gen_attention.py: outputs, attention scores and every gradient, with and without an
/// attention mask, causal, a fully masked query row, no bias, output_shape, rank-4
/// inputs), plus central-difference gradient checks of the two attention ops and the layer.
final class AttentionTests: XCTestCase {
    static func layer(_ c: [String: Any], call: [String: Any], masked: Bool) -> MultiHeadAttention {
        var k = MultiHeadAttention.Config(numHeads: c["num_heads"] as! Int, keyDim: c["key_dim"] as! Int,
                                          valueDim: c["value_dim"] as? Int)
        k.useBias = c["use_bias"] as? Bool ?? true
        k.dropout = Float(c["dropout"] as? Double ?? 0)
        k.attentionAxes = c["attention_axes"] as? [Int]
        k.outputShape = (c["output_shape"] as? [Int])?.first ?? c["output_shape"] as? Int
        k.useCausalMask = call["use_causal_mask"] as? Bool ?? false
        k.returnAttentionScores = call["return_attention_scores"] as? Bool ?? false
        k.attentionMaskInput = masked
        return MultiHeadAttention(k)
    }

    func testKerasFixture() throws {
        var checked = 0
        for c in try KerasReference.cases("attention") {
            let call = c["call_kwargs"] as! [String: Any]
            let inputs = (c["inputs"] as! [Any]).map { KerasReference.tensor($0)! }
            let mask = KerasReference.tensor(c["attention_mask"])
            let layer = Self.layer(c["config"] as! [String: Any], call: call, masked: mask != nil)
            var ctx = BuildContext(rng: RNG(seed: 1))
            let all = inputs + (mask.map { [$0] } ?? [])
            let shapes = try layer.build(inputShapes: all.map { Array($0.shape.dropFirst()) }, context: &ctx)
            let wantShapes = (c["outputs"] as! [Any]).map { Array(KerasReference.tensor($0)!.shape.dropFirst()) }
            XCTAssertEqual(shapes, wantShapes, "\(c["name"]!): output shapes")
            KerasAttentionCase.check(c, layer: layer, prefix: "multi_head_attention/", inputs: inputs) { xs in
                layer.forward(xs + (mask.map { [$0] } ?? []), training: false)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 7, "every attention case ran")
    }

    func testScoresOpGradient() {
        let q = GradientCheck.random([2, 3, 4], seed: 3), k = GradientCheck.random([2, 5, 4], seed: 4)
        var keep = (0..<30).map { $0 % 4 != 1 }
        for j in 0..<5 { keep[5 + j] = false }  // a fully masked row
        let report = GradientCheck.check(inputs: [q, k], eps: 1e-2, tolerance: 1e-2) { xs in
            attentionScores(xs[0], xs[1], heads: 2, scale: 0.7, mask: AttentionMask(keep: keep))
        }
        XCTAssertEqual(report.checked, q.count + k.count)
    }

    func testCombineOpGradient() {
        let p = GradientCheck.random([2, 2, 3, 5], seed: 5), v = GradientCheck.random([2, 5, 6], seed: 6)
        let report = GradientCheck.check(inputs: [p, v], eps: 1e-2, tolerance: 1e-2) { xs in attentionCombine(xs[0], xs[1], heads: 2) }
        XCTAssertEqual(report.checked, p.count + v.count)
    }

    /// The whole layer (cross attention with a key, causal, scores returned) by central
    /// differences on the inputs and all eight weights.
    func testLayerGradient() throws {
        var k = MultiHeadAttention.Config(numHeads: 2, keyDim: 3, valueDim: 2)
        k.useCausalMask = true; k.returnAttentionScores = true
        try KerasAttentionCase.checkGradients(MultiHeadAttention(k), shapes: [[4, 3], [4, 2], [4, 5]], seed: 5)
    }

    /// Scores by hand: one head, key_dim 1, identity projections: P = softmax(q·k / 1).
    func testMaskedSoftmaxByHand() {
        let q = Tensor(shape: [1, 1, 1], data: [1]), k = Tensor(shape: [1, 3, 1], data: [1, 2, 3])
        let p = attentionScores(q, k, heads: 1, scale: 1, mask: AttentionMask(keep: [true, false, true]))
        // softmax(1, −1e9, 3) = (e¹, 0, e³)/(e¹ + e³)
        let e1 = Float(M_E), e3 = Float(M_E * M_E * M_E)
        XCTAssertEqual(p[flat: 0], e1 / (e1 + e3), accuracy: 1e-6)
        XCTAssertEqual(p[flat: 1], 0, accuracy: 1e-12)
        XCTAssertEqual(p[flat: 2], e3 / (e1 + e3), accuracy: 1e-6)
    }

    func testDropoutOnlyInTraining() throws {
        var k = MultiHeadAttention.Config(numHeads: 2, keyDim: 4)
        k.dropout = 0.5
        let layer = MultiHeadAttention(k)
        var ctx = BuildContext(rng: RNG(seed: 8))
        _ = try layer.build(inputShapes: [[6, 4], [6, 4]], context: &ctx)
        let x = GradientCheck.random([2, 6, 4], seed: 10)
        let a = layer.forward([x, x], training: false)[0], b = layer.forward([x, x], training: false)[0]
        let t = layer.forward([x, x], training: true)[0]
        XCTAssertEqual((0..<a.count).map { a[flat: $0] }, (0..<b.count).map { b[flat: $0] })
        XCTAssertGreaterThan((0..<a.count).map { Swift.abs(a[flat: $0] - t[flat: $0]) }.max() ?? 0, 1e-3)
    }

    func testShapeErrors() {
        var ctx = BuildContext(rng: RNG(seed: 1))
        XCTAssertThrowsError(try MultiHeadAttention(.init(numHeads: 2, keyDim: 3)).build(inputShapes: [[4, 3]], context: &ctx))
        XCTAssertThrowsError(try MultiHeadAttention(.init(numHeads: 2, keyDim: 3)).build(inputShapes: [[4, 3], [4, 2], [5, 2]], context: &ctx))
        XCTAssertThrowsError(try MultiHeadAttention(.init(numHeads: 0, keyDim: 3)).build(inputShapes: [[4, 3], [4, 3]], context: &ctx))
        var axes = MultiHeadAttention.Config(numHeads: 2, keyDim: 3)
        for bad in [[3], [0], [1, 1], [-1]] {   // the features, the batch, twice, the features again
            axes.attentionAxes = bad
            XCTAssertThrowsError(try MultiHeadAttention(axes).build(inputShapes: [[4, 2, 3], [4, 2, 3]], context: &ctx), "\(bad)")
        }
        axes.attentionAxes = [2]   // along axis 2 for each index of axis 1: value must share axis 1
        XCTAssertNoThrow(try MultiHeadAttention(axes).build(inputShapes: [[4, 2, 3], [4, 5, 3]], context: &ctx))
        XCTAssertThrowsError(try MultiHeadAttention(axes).build(inputShapes: [[4, 2, 3], [5, 2, 3]], context: &ctx))
        axes.attentionAxes = [1, 2]
        XCTAssertNoThrow(try MultiHeadAttention(axes).build(inputShapes: [[4, 2, 3], [4, 2, 3]], context: &ctx))
    }

    /// PositionEmbedding returns its first `steps` rows for every example; its gradient
    /// sums the batch into those rows (the unused rows get none).
    func testPositionEmbedding() throws {
        let layer = PositionEmbedding(.init(sequenceLength: 5))
        var ctx = BuildContext(rng: RNG(seed: 2))
        _ = try layer.build(inputShapes: [[3, 2]], context: &ctx)
        let table = try XCTUnwrap(layer.embeddings).value
        let y = layer(GradientCheck.random([2, 3, 2], seed: 3), training: false)
        XCTAssertEqual(y.shape, [2, 3, 2])
        for b in 0..<2 { for i in 0..<6 { XCTAssertEqual(y[flat: b * 6 + i], table[flat: i]) } }
        let x = GradientCheck.random([2, 3, 2], seed: 4)
        let report = GradientCheck.check(inputs: [], parameters: layer.parameters) { _ in layer(x, training: false) }
        XCTAssertEqual(report.checked, 10)
        XCTAssertThrowsError(try layer.build(inputShapes: [[6, 2]], context: &ctx))
    }

    /// keras_hub's TransformerEncoder, post-norm and pre-norm, by central differences on
    /// the input and its sixteen weights (the values against Keras: KerasAttentionFileTests).
    func testTransformerEncoderGradient() throws {
        for first in [false, true] {
            var c = TransformerEncoder.Config(intermediateDim: 5, numHeads: 2)
            c.normalizeFirst = first; c.activation = .tanh
            let layer = TransformerEncoder(c)
            var ctx = BuildContext(rng: RNG(seed: 11))
            _ = try layer.build(inputShapes: [[3, 4]], context: &ctx)
            XCTAssertEqual(layer.parameters.count, 16)
            let x = GradientCheck.random([2, 3, 4], seed: 12)
            let report = GradientCheck.check(inputs: [x], parameters: layer.parameters, eps: 1e-2, tolerance: 2e-2) { xs in
                layer(xs[0], training: false)
            }
            XCTAssertEqual(report.checked, x.count + layer.parameterCount)
        }
    }

    /// With dropout, a training pass differs from inference, and restoring randomState
    /// (what a checkpoint saves) replays the same masks in all three dropout sites.
    func testTransformerEncoderDropoutReplaysFromRandomState() throws {
        var c = TransformerEncoder.Config(intermediateDim: 8, numHeads: 2)
        c.dropout = 0.3
        let layer = TransformerEncoder(c)
        var ctx = BuildContext(rng: RNG(seed: 13))
        _ = try layer.build(inputShapes: [[5, 4]], context: &ctx)
        let x = GradientCheck.random([2, 5, 4], seed: 14)
        let state = layer.randomState
        let a = layer(x, training: true)
        layer.randomState = state
        let b = layer(x, training: true)
        let inference = layer(x, training: false)
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertNotEqual(a.scalars, inference.scalars)
    }
}

import XCTest
@testable import KerasEngine

/// Keras masks through the attention layers, against real Keras
/// (`Fixtures/keras_reference/attention_masks.json` from gen_attention_masks.py):
/// MultiHeadAttention given its inputs' masks (fused and explicit-softmax paths, with a
/// key mask, attention_mask and causal), `Attention` (dot / concat, scaled or not) and
/// `AdditiveAttention`, outputs and every gradient; central-difference checks of the new
/// layers; the merge and pooling mask rules by hand.
final class AttentionMaskTests: XCTestCase {
    static func scoreLayer(_ c: [String: Any], call: [String: Any]) -> ScoreAttention {
        let config = c["config"] as! [String: Any]
        func options(_ o: inout ScoreAttention.Options) {
            o.useScale = config["use_scale"] as! Bool
            o.dropout = Float(config["dropout"] as? Double ?? 0)
            o.useCausalMask = call["use_causal_mask"] as? Bool ?? false
            o.returnAttentionScores = call["return_attention_scores"] as? Bool ?? false
        }
        if c["class"] as? String == "AdditiveAttention" {
            var a = AdditiveAttention.Config()
            options(&a.options)
            return AdditiveAttention(a)
        }
        var a = Attention.Config()
        options(&a.options)
        a.scoreMode = Attention.ScoreMode(rawValue: config["score_mode"] as! String)!
        return Attention(a)
    }

    static func groupLayer(_ c: [String: Any], call: [String: Any], masked: Bool) -> GroupQueryAttention {
        var k = GroupQueryAttention.Config(headDim: c["head_dim"] as! Int, numQueryHeads: c["num_query_heads"] as! Int,
                                           numKeyValueHeads: c["num_key_value_heads"] as! Int)
        k.useBias = c["use_bias"] as? Bool ?? true
        k.dropout = Float(c["dropout"] as? Double ?? 0)
        k.useCausalMask = call["use_causal_mask"] as? Bool ?? false
        k.returnAttentionScores = call["return_attention_scores"] as? Bool ?? false
        k.attentionMaskInput = masked
        return GroupQueryAttention(k)
    }

    func testKerasFixture() throws {
        var checked: [String: Int] = [:]
        for c in try KerasReference.cases("attention_masks") {
            let call = c["call_kwargs"] as! [String: Any]
            let inputs = (c["inputs"] as! [Any]).map { KerasReference.tensor($0)! }
            let masks = (c["masks"] as! [Any]).map { KerasReference.tensor($0) }
            let cls = c["class"] as! String
            var ctx = BuildContext(rng: RNG(seed: 1))
            if cls == "MultiHeadAttention" || cls == "GroupedQueryAttention" {
                let attentionMask = KerasReference.tensor(c["attention_mask"])
                let extra = attentionMask.map { [$0] } ?? []
                let layer: any MaskAware = cls == "MultiHeadAttention"
                    ? AttentionTests.layer(c["config"] as! [String: Any], call: call, masked: attentionMask != nil)
                    : Self.groupLayer(c["config"] as! [String: Any], call: call, masked: attentionMask != nil)
                _ = try layer.build(inputShapes: (inputs + extra).map { Array($0.shape.dropFirst()) }, context: &ctx)
                let prefix = cls == "MultiHeadAttention" ? "multi_head_attention/" : "grouped_query_attention/"
                KerasAttentionCase.check(c, layer: layer, prefix: prefix, inputs: inputs) { xs in
                    let (outs, mask) = layer.forward(xs + extra, masks: masks + extra.map { _ in nil }, training: false)
                    XCTAssertEqual(mask?.scalars, masks.first??.scalars, "the output carries the query's mask")
                    return outs
                }
            } else {
                let layer = Self.scoreLayer(c, call: call)
                XCTAssertEqual(layer.typeName, cls)
                _ = try layer.build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, context: &ctx)
                KerasAttentionCase.check(c, layer: layer, prefix: cls == "Attention" ? "attention/" : "additive_attention/", inputs: inputs) { xs in
                    layer.forward(xs, masks: masks, training: false).outputs
                }
            }
            checked[cls, default: 0] += 1
        }
        XCTAssertEqual(checked, ["MultiHeadAttention": 11, "Attention": 7, "AdditiveAttention": 2, "GroupedQueryAttention": 5], "every case ran")
    }

    /// Central differences on query, value, key and the weights, with masks and causal.
    func testScoreAttentionGradients() throws {
        let qm = Tensor(shape: [2, 3], data: [1, 1, 0, 1, 1, 1]), vm = Tensor(shape: [2, 4], data: [1, 0, 1, 1, 1, 1, 1, 0])
        var layers: [ScoreAttention] = []
        for mode in Attention.ScoreMode.allCases {
            var c = Attention.Config()
            c.scoreMode = mode; c.options.useScale = true; c.options.useCausalMask = mode == .dot; c.options.returnAttentionScores = true
            layers.append(Attention(c))
        }
        var additive = AdditiveAttention.Config()
        additive.options.returnAttentionScores = true
        layers.append(AdditiveAttention(additive))
        for layer in layers {
            try KerasAttentionCase.checkGradients(layer, shapes: [[3, 4], [4, 2], [4, 4]], seed: 3, masks: [qm, vm, nil])
        }
    }

    /// GroupQueryAttention by central differences (two query heads per key/value head,
    /// a key, masks, causal, scores returned), inputs and all eight weights.
    func testGroupQueryAttentionGradient() throws {
        var k = GroupQueryAttention.Config(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2)
        k.useCausalMask = true; k.returnAttentionScores = true
        let qm = Tensor(shape: [2, 4], data: [1, 1, 1, 0, 1, 1, 1, 1])
        try KerasAttentionCase.checkGradients(GroupQueryAttention(k), shapes: [[4, 3], [4, 3], [4, 5]], seed: 5, masks: [qm, qm, nil])
    }

    /// MultiHeadAttention along axis 2 of (batch, 3, 2, 4) inputs (axis 1 a batch axis),
    /// scores returned, by central differences on the inputs and all eight weights.
    func testAttentionAxesGradient() throws {
        var k = MultiHeadAttention.Config(numHeads: 2, keyDim: 2)
        k.attentionAxes = [2]; k.returnAttentionScores = true
        let layer = MultiHeadAttention(k)
        var ctx = BuildContext(rng: RNG(seed: 5))
        XCTAssertEqual(try layer.build(inputShapes: [[3, 2, 4], [3, 5, 3]], context: &ctx), [[3, 2, 4], [3, 2, 2, 5]])
        try KerasAttentionCase.checkGradients(layer, shapes: [[3, 2, 4], [3, 5, 3]], seed: 7)
    }

    func testGroupQueryAttentionShapeErrors() {
        var ctx = BuildContext(rng: RNG(seed: 1))
        XCTAssertThrowsError(try GroupQueryAttention(.init(headDim: 2, numQueryHeads: 3, numKeyValueHeads: 2))
            .build(inputShapes: [[4, 3], [4, 3]], context: &ctx), "3 query heads do not share 2 key/value heads")
        XCTAssertThrowsError(try GroupQueryAttention(.init(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2))
            .build(inputShapes: [[4, 3], [4, 5]], context: &ctx), "query and value features differ")
        XCTAssertThrowsError(try GroupQueryAttention(.init(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2))
            .build(inputShapes: [[4, 3], [4, 3], [5, 3]], context: &ctx), "key and value steps differ")
        XCTAssertThrowsError(try GroupQueryAttention(.init(headDim: 2, numQueryHeads: 4, numKeyValueHeads: 2))
            .build(inputShapes: [[4, 2, 3], [4, 2, 3]], context: &ctx), "rank 4")
    }

    /// Attention by hand: q = (1), keys (0, 1, 2), values (1, 10, 100), the middle value
    /// masked: w = softmax(0, 2 − 1e9, 2) = (1, 0, e²)/(1 + e²).
    func testDotAttentionByHand() throws {
        let layer = Attention()
        var ctx = BuildContext(rng: RNG(seed: 1))
        _ = try layer.build(inputShapes: [[1, 1], [3, 1], [3, 1]], context: &ctx)
        let q = Tensor(shape: [1, 1, 1], data: [1]), v = Tensor(shape: [1, 3, 1], data: [1, 10, 100])
        let k = Tensor(shape: [1, 3, 1], data: [0, 2, 2])
        let (y, mask) = layer.forward([q, v, k], masks: [nil, Tensor(shape: [1, 3], data: [1, 0, 1]), nil], training: false)
        let e2 = Float(M_E * M_E)
        XCTAssertEqual(y[0][flat: 0], (1 + 100 * e2) / (1 + e2), accuracy: 1e-4)
        XCTAssertNil(mask)
    }

    func testScoreAttentionShapeErrors() {
        var ctx = BuildContext(rng: RNG(seed: 1))
        XCTAssertThrowsError(try Attention().build(inputShapes: [[3, 4]], context: &ctx))
        XCTAssertThrowsError(try Attention().build(inputShapes: [[3, 4], [5, 4], [6, 4]], context: &ctx))
        XCTAssertThrowsError(try Attention().build(inputShapes: [[3, 4], [5, 3]], context: &ctx))   // key (= value) dim 3 ≠ 4
        XCTAssertThrowsError(try AdditiveAttention().build(inputShapes: [[3, 4, 1], [5, 4, 1]], context: &ctx))
        XCTAssertNoThrow(try Attention().build(inputShapes: [[3, 4], [5, 2], [5, 4]], context: &ctx))
    }

    /// Keras's Merge.compute_mask is an OR, nil when any input is unmasked; Concatenate
    /// counts an unmasked input as ones and joins the masks along its axis.
    func testMergeMasksByHand() {
        let a = Tensor(shape: [1, 3], data: [1, 0, 0]), b = Tensor(shape: [1, 3], data: [0, 1, 0])
        XCTAssertEqual(mergedMask([a, b])?.scalars, [1, 1, 0])
        XCTAssertNil(mergedMask([a, nil]))
        XCTAssertEqual(mergedMask([a, Tensor(shape: [1, 1], data: [1])])?.scalars, [1, 1, 1], "broadcast as logical_or")
        XCTAssertNil(mergedMask([a, Tensor(shape: [1, 2], data: [1, 0])]), "masks that do not broadcast give none")
        let x = Tensor(shape: [1, 3, 2]), y = Tensor(shape: [1, 2, 2])
        XCTAssertEqual(concatenatedMask([x, y], [a, nil], axis: 1)?.scalars, [1, 0, 0, 1, 1])
        XCTAssertEqual(concatenatedMask([x, x], [a, nil], axis: 2)?.scalars, [1, 1, 1])
        XCTAssertEqual(concatenatedMask([x, x], [a, b], axis: 2)?.scalars, [1, 1, 0])
        XCTAssertNil(concatenatedMask([x, x], [nil, nil], axis: 2))
        let add = Add(), cat = Concatenate(axis: 1)
        XCTAssertEqual(forwardWithMasks(add, [x, x], masks: [a, b], training: false).mask?.scalars, [1, 1, 0])
        XCTAssertEqual(forwardWithMasks(cat, [x, y], masks: [nil, Tensor(shape: [1, 2], data: [0, 1])], training: false).mask?.scalars,
                       [1, 1, 1, 0, 1])
    }

    /// GlobalAveragePooling1D averages the unmasked steps; GlobalMaxPooling1D ignores the
    /// mask, as Keras's does.
    func testMaskedPoolingByHand() {
        let x = Tensor(shape: [1, 3, 1], data: [1, 2, 9]), m = Tensor(shape: [1, 3], data: [1, 1, 0])
        let avg = GlobalPooling(.init(kind: .average, rank: 1)), max = GlobalPooling(.init(kind: .max, rank: 1))
        XCTAssertEqual(avg.forward([x], masks: [m], training: false).outputs[0].scalars, [1.5])
        XCTAssertEqual(avg.forward([x], masks: [nil], training: false).outputs[0].scalars, [4])
        XCTAssertEqual(max.forward([x], masks: [m], training: false).outputs[0].scalars, [9])
    }
}

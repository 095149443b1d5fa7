import Foundation
import XCTest
@testable import KerasEngine

/// EinsumDense, GroupNormalization, UnitNormalization, SinePositionEncoding and
/// TransformerDecoder by central differences and by hand (their values against real Keras:
/// KerasBuilderTests/AttentionLayerFixtureTests).
final class AttentionLayerTests: XCTestCase {
    func built<L: Layer>(_ layer: L, _ shapes: [[Int]], seed: UInt64 = 1) throws -> L {
        var ctx = BuildContext(rng: RNG(seed: seed))
        _ = try layer.build(inputShapes: shapes, context: &ctx)
        return layer
    }

    func einsum(_ equation: String, _ output: [Int?], bias: String?) throws -> EinsumDense {
        EinsumDense(.init(equation: try EinsumEquation(equation), outputShape: output, biasAxes: bias))
    }

    /// The memory budget charges EinsumDense's transposed copies: none when the axes already
    /// fit the GEMM, the output again when the product must be permuted into it.
    func testEinsumDenseChargesItsTransposes() throws {
        func perExample(_ equation: String, _ output: [Int?]) throws -> Int {
            let m = Sequential(layers: [try einsum(equation, output, bias: nil)])
            try m.build(inputShapes: [[5, 4]], seed: 1)
            return m.activationElementsPerExample
        }
        XCTAssertEqual(try perExample("abc,cd->abd", [5, 3]), 20 + 15)
        XCTAssertEqual(try perExample("abc,cd->adb", [3, 5]), 20 + 15 + 15)
        XCTAssertEqual(try perExample("abc,bd->acd", [4, 3]), 20 + 20 + 12)  // b contracted: the input is permuted
    }

    /// Each form of equation, with biases on leading and several axes, by central
    /// differences on the input, the kernel and the bias.
    func testEinsumDenseGradients() throws {
        let cases: [(String, [Int?], String?, [Int])] = [
            ("ab,bc->ac", [3], "c", [4]),
            ("abc,cde->abde", [nil, 2, 3], "de", [3, 4]),
            ("abcd,cde->abe", [nil, 3], "e", [3, 2, 2]),
            ("...b,bc->...c", [2], "c", [2, 3, 4]),
            ("abc...,cd->abd...", [3, 2], "d", [3, 4, 2]),
            ("abc,cd->adb", [2, 3], "db", [3, 4]),
            ("abc,dc->abd", [nil, 2], "b", [3, 4]),
        ]
        for (k, (eq, out, bias, shape)) in cases.enumerated() {
            let layer = try built(try einsum(eq, out, bias: bias), [shape], seed: UInt64(k + 1))
            XCTAssertEqual(layer.parameters.count, 2, eq)
            let x = GradientCheck.random([2] + shape, seed: UInt64(10 + k))
            for p in layer.parameters { p.value = GradientCheck.random(p.shape, seed: UInt64(20 + k)) }
            let report = GradientCheck.check(inputs: [x], parameters: layer.parameters) { xs in layer(xs[0], training: false) }
            XCTAssertEqual(report.checked, x.count + layer.parameterCount, eq)
        }
    }

    /// "abc,cd->adb" by hand: y[a, d, b] = Σ_c x[a, b, c]·w[c, d] + bias[d, b].
    func testEinsumTransposedOutputByHand() throws {
        let layer = try built(try einsum("abc,cd->adb", [2, 3], bias: "db"), [[3, 2]])
        let x = GradientCheck.random([1, 3, 2], seed: 3), w = GradientCheck.random([2, 2], seed: 4), b = GradientCheck.random([2, 3], seed: 5)
        layer.parameters[0].value = w; layer.parameters[1].value = b
        let y = layer(x, training: false)
        XCTAssertEqual(y.shape, [1, 2, 3])
        for d in 0..<2 {
            for t in 0..<3 {
                let want = (0..<2).reduce(b[flat: d * 3 + t]) { $0 + x[flat: t * 2 + $1] * w[flat: $1 * 2 + d] }
                XCTAssertEqual(y[flat: d * 3 + t], want, accuracy: 1e-5)
            }
        }
    }

    func testEinsumErrors() throws {
        for bad in ["abc,cd", "ab,bc->ac->x", "a1,1c->ac", "abb,bc->ac", "ab,bc->acz", "ab,bcz->ac", "abx,bc->ac", "abc,bcd->abd"] {
            XCTAssertThrowsError(try EinsumEquation(bad), bad)
        }
        func shapeError(_ eq: String, _ out: [Int?], _ bias: String?, _ input: [Int]) -> String {
            do { _ = try built(try einsum(eq, out, bias: bias), [input]); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(shapeError("abc,cd->abd", [4], nil, [3, 5]).contains("output_shape"))
        XCTAssertTrue(shapeError("abc,cd->abd", [4, 2], nil, [3, 5]).contains("shared dimension 'b'"))
        XCTAssertTrue(shapeError("abc,cd->abd", [nil, nil], nil, [3, 5]).contains("'d'"))
        XCTAssertTrue(shapeError("abc,cd->abd", [nil, 2], "x", [3, 5]).contains("Bias dimension 'x'"))
        XCTAssertTrue(shapeError("abc,cd->abd", [nil, 2], "a", [3, 5]).contains("batch"))
        XCTAssertTrue(shapeError("abc,cd->abd", [nil, 2], nil, [3, 4, 5]).contains("input axes"))
        XCTAssertTrue(shapeError("abc,ad->dbc", [nil, nil], nil, [3, 5]).contains("batch"))
    }

    func testGroupNormalizationGradients() throws {
        for (groups, axis, shape) in [(2, -1, [3, 4]), (-1, -1, [5, 3]), (3, 1, [6, 2]), (1, -1, [2, 2, 4]), (2, -1, [6])] {
            var c = GroupNormalization.Config(groups: groups)
            c.axis = axis
            let layer = try built(GroupNormalization(c), [shape])
            for p in layer.parameters { p.value = GradientCheck.random(p.shape, seed: 7) }
            let x = GradientCheck.random([2] + shape, seed: 8, scale: 2)
            let report = GradientCheck.check(inputs: [x], parameters: layer.parameters) { xs in layer(xs[0], training: false) }
            XCTAssertEqual(report.checked, x.count + layer.parameterCount, "groups \(groups) axis \(axis)")
        }
    }

    /// One group per channel over (steps, channels) by hand: each channel's column has
    /// mean 0 and variance var/(var + ε).
    func testInstanceNormalizationByHand() throws {
        let layer = try built(GroupNormalization(.init(groups: -1)), [[4, 2]])
        let y = layer(Tensor(shape: [1, 4, 2], data: [1, 10, 2, 20, 3, 30, 4, 40]), training: false)
        for ch in 0..<2 {
            let column = (0..<4).map { y[flat: $0 * 2 + ch] }
            XCTAssertEqual(column.reduce(0, +), 0, accuracy: 1e-5)
            let variance = Float(ch == 0 ? 1.25 : 125)
            XCTAssertEqual(column.map { $0 * $0 }.reduce(0, +) / 4, variance / (variance + 1e-3), accuracy: 1e-5)
        }
        XCTAssertThrowsError(try built(GroupNormalization(.init(groups: 3)), [[4, 4]]))
        XCTAssertThrowsError(try built(GroupNormalization(.init(groups: 8)), [[4, 4]]))
    }

    func testUnitNormalization() throws {
        let layer = try built(UnitNormalization(.init(axis: [1, 2])), [[2, 3]])
        let x = GradientCheck.random([2, 2, 3], seed: 9)
        let report = GradientCheck.check(inputs: [x]) { xs in layer(xs[0], training: false) }
        XCTAssertEqual(report.checked, x.count)
        // (3, 4) → (0.6, 0.8); a row of zeros stays zero, with a finite gradient.
        let last = try built(UnitNormalization(), [[2]])
        let tape = Tape()
        let z = tape.watch(Tensor(shape: [2, 2], data: [3, 4, 0, 0]))
        let y = last(z, training: false)
        XCTAssertEqual(y.scalars, [0.6, 0.8, 0, 0])
        let g = tape.gradients(of: sum(y), for: [z])[0]
        XCTAssertTrue(g.scalars.allSatisfy(\.isFinite))
        XCTAssertThrowsError(try built(UnitNormalization(.init(axis: [3])), [[2, 3]]))
    }

    /// keras_hub's formula by hand: position p, feature j of 4: sin(p), cos(p),
    /// sin(p/100), cos(p/100) (max_wavelength 10000, 2⌊j/2⌋/4 = 0, 0, 0.5, 0.5).
    func testSinePositionEncodingByHand() throws {
        let layer = try built(SinePositionEncoding(), [[3, 4]])
        let y = layer(GradientCheck.random([2, 3, 4], seed: 1), training: false)
        for b in 0..<2 {
            for p in 0..<3 {
                let want = [sin(Double(p)), cos(Double(p)), sin(Double(p) / 100), cos(Double(p) / 100)]
                for j in 0..<4 { XCTAssertEqual(Double(y[flat: (b * 3 + p) * 4 + j]), want[j], accuracy: 1e-6) }
            }
        }
        XCTAssertThrowsError(try built(SinePositionEncoding(), [[4]]))
        XCTAssertThrowsError(try built(SinePositionEncoding(.init(maxWavelength: 0)), [[3, 4]]))
    }

    /// Decoder-only and with cross-attention, post-norm and normalize_first, by central
    /// differences on the inputs and every weight (16, or 26 with cross-attention).
    func testTransformerDecoderGradients() throws {
        for (cross, first) in [(false, false), (true, false), (true, true)] {
            var c = TransformerDecoder.Config(intermediateDim: 5, numHeads: 2)
            c.normalizeFirst = first; c.activation = .tanh
            let shapes = cross ? [[3, 4], [2, 3]] : [[3, 4]]
            let layer = try built(TransformerDecoder(c), shapes, seed: 11)
            XCTAssertEqual(layer.parameters.count, cross ? 26 : 16)
            let xs = shapes.enumerated().map { GradientCheck.random([2] + $0.element, seed: UInt64(12 + $0.offset)) }
            let report = GradientCheck.check(inputs: xs, parameters: layer.parameters, eps: 1e-2, tolerance: 2e-2) { ins in
                layer.forward(ins, training: false)[0]
            }
            XCTAssertEqual(report.checked, xs.reduce(0) { $0 + $1.count } + layer.parameterCount)
        }
    }

    /// The self-attention is causal: the first step's output does not depend on later
    /// steps (unless use_causal_mask is false).
    func testTransformerDecoderIsCausal() throws {
        for causal in [true, false] {
            var c = TransformerDecoder.Config(intermediateDim: 6, numHeads: 2)
            c.useCausalMask = causal
            let layer = try built(TransformerDecoder(c), [[4, 4]])
            let a = GradientCheck.random([1, 4, 4], seed: 3)
            var b = a
            for i in 4..<16 { b[flat: i] += 1 }
            let ya = layer.forward([a], training: false)[0], yb = layer.forward([b], training: false)[0]
            let firstStepMoved = (0..<4).map { Swift.abs(ya[flat: $0] - yb[flat: $0]) }.max() ?? 0
            if causal { XCTAssertLessThan(firstStepMoved, 1e-6) } else { XCTAssertGreaterThan(firstStepMoved, 1e-4) }
        }
    }

    /// With dropout, a training pass differs from inference, and restoring randomState
    /// replays the same masks at all five dropout sites (two attentions, three residuals).
    func testTransformerDecoderDropoutReplaysFromRandomState() throws {
        var c = TransformerDecoder.Config(intermediateDim: 8, numHeads: 2)
        c.dropout = 0.3
        let layer = try built(TransformerDecoder(c), [[5, 4], [3, 4]], seed: 13)
        let xs = [GradientCheck.random([2, 5, 4], seed: 14), GradientCheck.random([2, 3, 4], seed: 15)]
        let state = layer.randomState
        let a = layer.forward(xs, training: true)[0]
        layer.randomState = state
        let b = layer.forward(xs, training: true)[0]
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertNotEqual(a.scalars, layer.forward(xs, training: false)[0].scalars)
    }

    func testTransformerDecoderShapeErrors() throws {
        let c = TransformerDecoder.Config(intermediateDim: 4, numHeads: 3)
        XCTAssertThrowsError(try built(TransformerDecoder(c), [[4, 2]]))          // hidden < num_heads
        XCTAssertThrowsError(try built(TransformerDecoder(c), [[4, 6], [3]]))     // encoder rank
        XCTAssertThrowsError(try built(TransformerDecoder(c), [[6]]))             // decoder rank
        let layer = try built(TransformerDecoder(c), [[4, 6]])
        var ctx = BuildContext(rng: RNG(seed: 1))
        XCTAssertThrowsError(try layer.build(inputShapes: [[4, 6], [3, 6]], context: &ctx))  // built without cross-attention
    }
}

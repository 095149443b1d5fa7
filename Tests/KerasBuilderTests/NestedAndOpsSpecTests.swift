import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// What keras.applications are made of, written in YAML: keras.ops operations with
/// constant operands, the `training` call argument, models nested as layers — and their
/// located errors.
final class NestedAndOpsSpecTests: XCTestCase {
    static let spec = """
        name: graph
        seed: 3
        model:
          inputs: [{Input: {name: x, shape: [4]}}]
          layers:
            - Sequential:
                name: stem
                inputs: x
                layers:
                  - Dense: {units: 6, name: stem_dense}
                  - LayerNormalization: {name: stem_ln}
            - ops.add: {name: shifted, inputs: [stem, 3.0]}
            - ops.relu6: {name: r6, inputs: shifted}
            - ops.multiply: {name: hsig, inputs: [r6, 0.16666666666666666]}
            - ops.subtract: {name: flipped, inputs: [1.0, hsig]}
            - Dropout: {name: drop, rate: 0.5, inputs: flipped, training: false}
            - Functional:
                name: block
                inputs: drop
                model:
                  inputs: [{Input: {name: bi, shape: [6]}}]
                  layers:
                    - Dense: {name: bd, units: 6, activation: tanh, inputs: bi}
                    - Add: {name: ba, inputs: [bi, bd]}
                  outputs: ba
            - ops.mean: {name: m, inputs: block, axis: -1, keepdims: true}
            - Dense: {name: out, units: 2, inputs: m}
          outputs: out
        """

    func testOpsNestedModelsAndTrainingFalseBuildAndComputeAsWritten() throws {
        let spec = try Spec.parse(text: Self.spec, file: "graph.yaml")
        let model = try ModelBuilder.build(spec)
        // stem 4*6+6 + 2*6, block 6*6+6, out 1*2+2.
        XCTAssertEqual(model.parameterCount, 30 + 12 + 42 + 4)
        XCTAssertEqual(model.layers.map(\.typeName), ["Sequential", "Add", "Relu6", "Multiply", "Subtract", "Dropout", "Functional", "Mean", "Dense"])
        let stem = try XCTUnwrap(model.layers[0] as? ModelLayer)
        let block = try XCTUnwrap(model.layers[6] as? ModelLayer)
        var rng = RNG(seed: 5)
        var x = Tensor(shape: [3, 4])
        for i in 0..<x.count { x[flat: i] = Float(rng.normal()) }
        // The same computation by hand from the parts: 1 - relu6(stem(x) + 3) / 6, then
        // the block, the mean over the last axis and the head. Dropout(training: false) is
        // the identity even in a training-mode pass.
        let h = stem.model.predict([x])[0]
        var hs = Tensor(shape: h.shape)
        for i in 0..<h.count { hs[flat: i] = 1 - min(max(h[flat: i] + 3, 0), 6) * 0.16666666666666666 }
        let b = block.model.predict([hs])[0]
        let m = mean(b, axis: -1, keepDims: true)
        let want = (model.layers[8] as! any UnaryLayer)(m, training: false)
        for got in [model.predict([x])[0], model.call([x], training: true)[0]] {
            XCTAssertEqual(got.shape, want.shape)
            for i in 0..<got.count { XCTAssertEqual(got[flat: i], want[flat: i], accuracy: 1e-5) }
        }
    }

    func testLocatedErrors() {
        func error(_ layers: String) -> String {
            let text = """
                model:
                  inputs: [{Input: {name: x, shape: [4, 3]}}]
                  layers:
                \(layers)
                  outputs: y
                """
            do { _ = try ModelBuilder.build(try Spec.parse(text: text, file: "e.yaml")); return "no error" } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(error("    - Dense: {name: y, units: 2, inputs: [x, 3.0]}").contains("e.yaml:4:7: model.layers[0] (Dense 'y'): inputs: Dense takes tensors only"), error("    - Dense: {name: y, units: 2, inputs: [x, 3.0]}"))
        XCTAssertTrue(error("    - ops.mean: {name: y, inputs: x, axis: 0}").contains("the batch axis (0) is not supported"))
        XCTAssertTrue(error("    - ops.reshape: {name: y, inputs: x, newshape: [12]}").contains("start it with -1"))
        XCTAssertTrue(error("    - ops.add: {name: y, inputs: x}").contains("Add takes 2 operands, got 1 tensor and 0 constants"))
        XCTAssertTrue(error("    - ops.sigmoid: {name: y, inputs: [x, 1.0]}").contains("takes 1 operand"))
        XCTAssertTrue(error("    - Dense: {name: y, units: 2, inputs: x, training: maybe}").contains("training must be true or false"))
        XCTAssertTrue(error("    - ops.plus: {name: y, inputs: x}").contains("e.yaml:4:7: model.layers[0] (ops.plus 'y'): unsupported keras.ops operation 'ops.plus'"))
        XCTAssertTrue(error("    - Sequential: {name: y, inputs: x, input_shape: [4, 3], layers: [Dense: 2]}").contains("leave input_shape out"))
        XCTAssertTrue(error("    - Model: {name: y, inputs: x}").contains("path"))
    }
}

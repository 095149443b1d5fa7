import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Functional specs: YAML and Swift build the same graph, parameter counts match real
/// Keras, the summary shows "Connected to", and graph errors are located.
final class GraphSpecTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Two inputs, a shared encoder, a merge, two outputs.
    static let twoTowers = """
        name: towers
        model:
          type: functional
          inputs:
            - Input: {name: left, shape: [4]}
            - Input: {name: right, shape: [4]}
          layers:
            - Dense: {name: enc, units: 6, activation: tanh, inputs: left}
            - Shared: {layer: enc, name: enc_right, inputs: right}
            - Concatenate: {name: both, inputs: [enc, enc_right]}
            - Dense: {name: hidden, units: 5, activation: relu, inputs: both}
            - Add: {name: skip, inputs: [enc, enc_right]}
            - Dense: {name: cls, units: 3, activation: softmax, inputs: hidden}
            - Dense: {name: reg, units: 1, inputs: skip}
          outputs: [cls, reg]
        """

    /// The same graph written in Swift with the functional API.
    static func twoTowersInSwift() throws -> Functional {
        let g = Functional(name: "towers")
        let left = g.input("left", shape: [4]), right = g.input("right", shape: [4])
        let enc = Dense(units: 6, activation: .tanh, name: "enc")
        let a = enc(left), b = enc(right, name: "enc_right")
        let hidden = Dense(units: 5, activation: .relu(), name: "hidden")(Concatenate(axis: -1, name: "both")(a, b))
        let skip = Add(name: "skip")(a, b)
        let cls = Dense(units: 3, activation: .softmax(), name: "cls")(hidden)
        let reg = Dense(units: 1, name: "reg")(skip)
        g.setOutputs([cls, reg])
        try g.build(seed: 9)
        return g
    }

    func testYAMLAndSwiftGraphsGiveBitwiseEqualPredictions() throws {
        let spec = try Spec.parse(text: Self.twoTowers, file: "towers.yaml")
        let fromYAML = try ModelBuilder.build(spec, seed: 9)
        let fromSwift = try Self.twoTowersInSwift()
        XCTAssertEqual(fromYAML.layers.map(\.name), fromSwift.layers.map(\.name))
        XCTAssertEqual(fromYAML.parameters.count, fromSwift.parameters.count)
        for (p, q) in zip(fromYAML.parameters, fromSwift.parameters) {
            XCTAssertEqual(p.value.shape, q.value.shape, p.name)
            XCTAssertEqual(p.value.scalars, q.value.scalars, "initial \(p.name) differs")
        }
        var rng = RNG(seed: 4)
        var l = Tensor(shape: [7, 4]), r = Tensor(shape: [7, 4])
        for i in 0..<28 { l[flat: i] = Float(rng.normal()); r[flat: i] = Float(rng.normal()) }
        let y1 = fromYAML.predict([l, r]), y2 = fromSwift.predict([l, r])
        XCTAssertEqual(y1.count, 2)
        for (a, b) in zip(y1, y2) {
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern))
        }
        XCTAssertEqual(fromYAML.outputNames, ["cls", "reg"])
        XCTAssertEqual(fromYAML.inputNames, ["left", "right"])
    }

    /// Parameter counts of the example specs against Keras (gen_graph_params.py → graph_params.json).
    func testExampleSpecsHaveKerasParameterCounts() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("graph_params.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        var checked: [String] = []
        for (file, expected) in json.sorted(by: { $0.key < $1.key }) {
            let spec = try Spec.load(path: Self.root.appendingPathComponent("specs/\(file)").path)
            let model = try ModelBuilder.build(spec)
            XCTAssertEqual(model.parameterCount, expected["total"] as? Int, file)
            XCTAssertEqual(model.trainableCount, expected["trainable"] as? Int, file)
            let layers = try XCTUnwrap(expected["layers"] as? [String: Int])
            XCTAssertEqual(Set(model.layers.map(\.name)), Set(layers.keys), file)
            for layer in model.layers { XCTAssertEqual(layer.parameterCount, layers[layer.name], "\(file): \(layer.name)") }
            checked.append(file)
        }
        XCTAssertEqual(checked, ["fashion_resnet.yaml", "iris_siamese.yaml", "iris_two_heads.yaml"])
    }

    func testSummaryShowsConnectedTo() throws {
        let siamese = try ModelBuilder.build(try Spec.load(path: Self.root.appendingPathComponent("specs/iris_siamese.yaml").path))
        let text = siamese.summary()
        XCTAssertTrue(text.contains("┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃"), text)
        // The shared encoder is one layer with two calls.
        XCTAssertTrue(text.contains("│ enc_h (Dense)       │ (None, 16)        │         80 │ left[0][0],       │\n│                     │                   │            │ right[0][0]       │"), text)
        XCTAssertTrue(text.contains("│ diff (Subtract)     │ (None, 8)         │          0 │ enc[0][0],        │\n│                     │                   │            │ enc[1][0]         │"), text)
        XCTAssertTrue(text.contains(" Total params: 225 (900.00 B)"), text)

        let heads = try ModelBuilder.build(try Spec.load(path: Self.root.appendingPathComponent("specs/iris_two_heads.yaml").path))
        let h = heads.summary()
        XCTAssertTrue(h.contains("│ species (Dense)     │ (None, 3)         │         99 │ hidden[0][0]      │"), h)
        XCTAssertTrue(h.contains("│ petal_width (Dense) │ (None, 1)         │         33 │ hidden[0][0]      │"), h)
    }

    /// Functional spec errors, each with its exact located message.
    func testGraphErrorFixtures() throws {
        let cases: [(String, String)] = [
            ("unknown_input.yaml", "graph_errors/unknown_input.yaml:9:53: model.layers[1] (Shared 'enc_right'): unknown input 'rigth'; did you mean 'right'?"),
            ("cycle.yaml", "graph_errors/cycle.yaml:7:42: model.layers[0] (Dense 'a'): the layers form a cycle: a -> b -> a"),
            ("duplicate_name.yaml", "graph_errors/duplicate_name.yaml:8:21: model.layers[1] (Dense 'head'): duplicate name 'head' (first used on line 7)"),
            ("unused_input.yaml", "graph_errors/unused_input.yaml:6:7: model.inputs[1] (Input 'meta'): input 'meta' is not used by any output"),
            ("merge_shapes.yaml", "graph_errors/merge_shapes.yaml:8:7: model.layers[1] (Add 'skip'): Inputs have incompatible shapes. Received shapes (4,) and (8,)"),
            ("shared_unknown.yaml", "graph_errors/shared_unknown.yaml:9:23: model.layers[1] (Shared 'encoder_right'): Shared: no layer named 'encodr' is defined before this one; did you mean 'encoder'?"),
            ("unused_layer.yaml", "graph_errors/unused_layer.yaml:7:7: model.layers[0] (Dense 'aux'): aux: this layer does not lead to any output"),
            ("unknown_output.yaml", "graph_errors/unknown_output.yaml:8:13: model: outputs: unknown tensor 'prob'; did you mean 'probs'?"),
        ]
        let dir = Self.fixtures.appendingPathComponent("graph_errors")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertEqual(Set(files), Set(cases.map(\.0)), "every fixture has an expected message")
        for (file, expected) in cases {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            do {
                let spec = try Spec.parse(text: text, file: "graph_errors/\(file)")
                _ = try ModelBuilder.build(spec)
                XCTFail("\(file): built without error")
            } catch let e as SpecError {
                XCTAssertEqual(e.description, expected, file)
            }
        }
    }
}

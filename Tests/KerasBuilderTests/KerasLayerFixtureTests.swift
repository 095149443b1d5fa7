import Foundation
import XCTest
import KerasSpec
@testable import KerasEngine
@testable import KerasBuilder

/// The activation, preprocessing and keras.applications layers and the weight
/// constraints against real Keras 3 (Fixtures/keras_layers/keras_layers.json, made by
/// gen_keras_layers.py beside it). Each layer comes from a model Keras wrote with
/// `to_json()`, built by kerasctl's Keras JSON importer and layer registry — so the
/// registry entries read Keras's own configs — then given Keras's weights; its outputs,
/// input gradients and weight gradients must be Keras's.
final class KerasLayerFixtureTests: XCTestCase {
    var fixture: [String: Any] {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/keras_layers/keras_layers.json")
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
    }

    static func tensor(_ any: Any?) -> Tensor? {
        guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Double] else { return nil }
        return Tensor(shape: shape, data: data.map(Float.init))
    }

    static func assertClose(_ got: Tensor, _ want: Tensor, tolerance: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard got.count == want.count else { XCTFail("\(what): shape \(got.shape) vs Keras \(want.shape)", file: file, line: line); return }
        for i in 0..<got.count where Swift.abs(got[flat: i] - want[flat: i]) > tolerance * Swift.max(1, Swift.abs(want[flat: i])) {
            XCTFail("\(what)[\(i)]: \(got[flat: i]) vs Keras \(want[flat: i])", file: file, line: line); return
        }
    }

    /// The model of a case's JSON, built by the importer.
    static func model(_ c: [String: Any]) throws -> Model {
        let json = try JSONSerialization.data(withJSONObject: try XCTUnwrap(c["model"]))
        return try ModelBuilder.build(try KerasJSON.parse(bytes: Array(json), file: "\(c["name"] ?? "case").json"))
    }

    func testLayersMatchKeras() throws {
        let ran = try Self.checkLayerCases(try XCTUnwrap(try fixture["layers"] as? [[String: Any]]))
        XCTAssertEqual(ran.count, 33, "\(ran)")
    }

    /// Builds each case's model, checks its layer "target" (parameter count, outputs,
    /// gradients) and returns the names of the cases checked.
    static func checkLayerCases(_ cases: [[String: Any]]) throws -> [String] {
        var ran: [String] = []
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let model = try Self.model(c)
            let layer = try XCTUnwrap(model.layers.first { $0.name == "target" }, name)
            XCTAssertEqual(layer.parameterCount, c["param_count"] as? Int, "\(name): parameter count")
            try Self.check(name, layer, c)
            ran.append(name)
        }
        return ran
    }

    /// Gives `layer` the case's Keras weights and checks outputs and gradients of S = Σ sum(output·w).
    static func check(_ name: String, _ layer: any Layer, _ c: [String: Any]) throws {
        let inputs = try XCTUnwrap(c["inputs"] as? [Any]).compactMap(Self.tensor)
        let weights = try XCTUnwrap(c["weights"] as? [[String: Any]])
        XCTAssertEqual(layer.parameters.count, weights.count, "\(name): weight count")
        for (p, wd) in zip(layer.parameters, weights) {
            let v = try XCTUnwrap(Self.tensor(wd["value"]))
            XCTAssertEqual(p.shape, v.shape, "\(name): \(p.name) vs Keras \(wd["name"] ?? "")")
            XCTAssertEqual(p.trainable, wd["trainable"] as? Bool, "\(name): \(p.name) trainable")
            p.value = v
        }
        let training = (c["call_kwargs"] as? [String: Any])?["training"] as? Bool ?? false
        let xs = inputs.enumerated().map { Parameter(name: "input\($0.offset)", value: $0.element) }
        let trainable = layer.parameters.filter(\.trainable)
        let tape = Tape()
        for p in trainable + xs { tape.watch(p) }
        let ys = layer.forward(xs.map(\.value), training: training)
        let want = try XCTUnwrap(c["outputs"] as? [Any]).compactMap(Self.tensor)
        let w = try XCTUnwrap(c["output_weights"] as? [Any]).compactMap(Self.tensor)
        XCTAssertEqual(ys.count, want.count, name)
        for (y, t) in zip(ys, want) {
            XCTAssertEqual(y.shape, t.shape, "\(name): output shape")
            Self.assertClose(y.detached, t, tolerance: 1e-5, "\(name) output")
        }
        let s = zip(ys, w).map { sum($0 * $1) }.reduce(Tensor(0), +)
        let grads = tape.gradients(of: s, for: trainable + xs)
        for (x, g) in zip(xs, try XCTUnwrap(c["grad_inputs"] as? [Any])) {
            guard let want = Self.tensor(g) else { continue }
            Self.assertClose(try XCTUnwrap(grads[x]), want, tolerance: 1e-4, "\(name) \(x.name) gradient")
        }
        for (p, wd) in zip(layer.parameters, weights) where p.trainable {
            guard let want = Self.tensor(wd["grad"]) else { continue }
            Self.assertClose(try XCTUnwrap(grads[p]), want, tolerance: 1e-4, "\(name) \(p.name) gradient")
        }
    }

    /// Each serialized Keras constraint, read by the registry, maps Keras's weight to
    /// Keras's constrained weight.
    func testConstraintsMatchKeras() throws {
        let cases = try XCTUnwrap(try fixture["constraints"] as? [[String: Any]])
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let serialized = try XCTUnwrap(c["constraint"] as? [String: Any])
            let className = try XCTUnwrap(serialized["class_name"] as? String)
            let config = try JSONSerialization.data(withJSONObject: serialized["config"] ?? [:], options: [.sortedKeys])
            let spec = try Spec.parse(text: "model:\n  input_shape: [4]\n  layers:\n    - Dense: {units: 1, kernel_constraint: {\(className): \(String(decoding: config, as: UTF8.self))}}\n", file: "c.yaml")
            guard case let .sequential(s) = spec.model, let dense = s.layers.first else { return XCTFail("no layer") }
            let r = try dense.object.reader()
            let constraint = try XCTUnwrap(try ConstraintRegistry.read(r, "kernel_constraint"), name)
            let w = try XCTUnwrap(Self.tensor(c["value"])), want = try XCTUnwrap(Self.tensor(c["constrained"]))
            Self.assertClose(constraint(w), want, tolerance: 1e-6, name)
        }
        XCTAssertEqual(cases.count, 10)
    }

    /// One SGD step of a Dense with kernel MaxNorm and bias NonNeg constraints, from the
    /// Keras model's JSON: gradients and the constrained weights after the step are Keras's.
    func testOptimizerAppliesConstraintsAfterTheUpdate() throws {
        let c = try XCTUnwrap(try fixture["training_step"] as? [String: Any])
        let model = try Self.model(c)
        let dense = try XCTUnwrap(model.layers.first { $0.name == "target" })
        let before = try XCTUnwrap(c["weights_before"] as? [Any]).compactMap(Self.tensor)
        for (p, v) in zip(dense.parameters, before) { p.value = v }
        XCTAssertNotNil(dense.parameters.first?.constraint)
        XCTAssertNotNil(dense.parameters.last?.constraint)
        let x = try XCTUnwrap(Self.tensor(c["x"])), y = try XCTUnwrap(Self.tensor(c["y"]))
        let tape = Tape()
        for p in dense.parameters { tape.watch(p) }
        let out = dense.forward([x], training: true)[0]
        let diff = out - y
        let loss = sum(diff * diff) * (1 / Float(diff.count))
        let grads = tape.gradients(of: loss, for: dense.parameters)
        for (p, g) in zip(dense.parameters, try XCTUnwrap(c["gradients"] as? [Any]).compactMap(Self.tensor)) {
            Self.assertClose(try XCTUnwrap(grads[p]), g, tolerance: 1e-5, "\(p.name) gradient")
        }
        let lr = Float(try XCTUnwrap(c["learning_rate"] as? Double))
        let sgd = Optimizer(try SGD(), learningRate: ConstantLearningRate(lr))
        sgd.apply(grads, to: dense.parameters)
        let after = try XCTUnwrap(c["weights_after"] as? [Any]).compactMap(Self.tensor)
        for (p, v) in zip(dense.parameters, after) { Self.assertClose(p.value, v, tolerance: 1e-6, "\(p.name) after the step") }
        // Both constraints bound: unconstrained, a kernel column's norm exceeds max_value 0.3
        // and a bias entry is negative.
        let g = try XCTUnwrap(grads[dense.parameters[0]]), gb = try XCTUnwrap(grads[dense.parameters[1]])
        let norms = (0..<3).map { j in (0..<5).map { i in
            let v = before[0][flat: i * 3 + j] - lr * g[flat: i * 3 + j]; return v * v }.reduce(0, +).squareRoot() }
        XCTAssertGreaterThan(norms.max() ?? 0, 0.3)
        XCTAssertLessThan((0..<3).map { before[1][flat: $0] - lr * gb[flat: $0] }.min() ?? 0, 0)
    }
}

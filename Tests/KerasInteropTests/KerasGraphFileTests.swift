import Foundation
import XCTest
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// Functional models with what keras.applications are built from beyond plain layers —
/// keras.ops operations on tensors and constants, `training=False` call arguments, models
/// nested as layers — saved by real Keras 3 (`Fixtures/keras_graph/gen_graph_models.py`):
/// each predicts as Keras does (1e-5) from `.keras` and legacy `.h5`.
final class KerasGraphFileTests: XCTestCase {
    func check(_ name: String, _ ext: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let io = try KerasModelFixtures.io(name)
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("\(name).\(ext)"))
        XCTAssertEqual(loaded.model.parameterCount, io.params, "\(name).\(ext) parameter count", file: file, line: line)
        let outputs = loaded.model.predict(io.inputs)
        for (k, (got, want)) in zip(outputs, io.outputs).enumerated() {
            KerasModelFixtures.assertClose(got, want, "\(name).\(ext) output \(k)", file: file, line: line)
        }
    }

    func testNativeFilesPredictAsKeras() throws {
        for name in KerasModelFixtures.graphNames { try check(name, "keras") }
    }

    func testLegacyFilesPredictAsKeras() throws {
        for name in KerasModelFixtures.graphNames { try check(name, "h5") }
    }

    /// `model.to_json()` + `model.save_weights()` (Keras 3's `.weights.h5` layout, nested
    /// models included) load as the `.keras` file does.
    func testJSONPlusWeightsFilePredictsAsKeras() throws {
        for name in KerasModelFixtures.graphNames {
            let io = try KerasModelFixtures.io(name)
            let loaded = try KerasFile.load(json: KerasModelFixtures.path("\(name).json"),
                                            weights: KerasModelFixtures.path("\(name).weights.h5"))
            XCTAssertEqual(loaded.model.parameterCount, io.params)
            KerasModelFixtures.assertClose(loaded.model.predict(io.inputs)[0], io.outputs[0], "\(name) json+weights")
        }
        // A legacy .h5 model file holds its weights under /model_weights: it reads as a
        // weights file too.
        let io = try KerasModelFixtures.io("nested")
        let legacy = try KerasFile.load(json: KerasModelFixtures.path("nested.json"), weights: KerasModelFixtures.path("nested.h5"))
        KerasModelFixtures.assertClose(legacy.model.predict(io.inputs)[0], io.outputs[0], "nested json+legacy weights")
    }

    /// `x + 3.0` is Keras's operation `Add` with a constant operand; in the spec it is
    /// `ops.add` with the number among its inputs, in call order (`2.0 - y` keeps the
    /// constant first).
    func testOperationsTranslateToOpsLayersWithConstants() throws {
        let keras = try KerasJSON.load(path: KerasModelFixtures.path("ops_graph.json"))
        guard case let .functional(f) = keras.spec else { return XCTFail("expected a functional spec") }
        let add = try XCTUnwrap(f.layers.first { $0.name == "add" })
        XCTAssertEqual(add.kind, "ops.add")
        XCTAssertEqual(add.inputs, ["h"])
        XCTAssertEqual(add.constants.map(\.position), [1])
        XCTAssertEqual(add.constants.map(\.value), [3.0])
        let subtract = try XCTUnwrap(f.layers.first { $0.kind == "ops.subtract" })
        XCTAssertEqual(subtract.constants.map(\.position), [0])
        XCTAssertEqual(subtract.constants.map(\.value), [2.0])
        XCTAssertTrue(f.layers.contains { $0.kind == "ops.mean" })
        XCTAssertTrue(f.layers.contains { $0.kind == "ops.relu6" })
    }

    /// Dropout(h, training=False) keeps the call argument; training the model does not
    /// switch that node to training mode.
    func testTrainingFalseNodeStaysInInferenceMode() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("training_false.keras"))
        let io = try KerasModelFixtures.io("training_false")
        let inference = loaded.model.predict(io.inputs)[0]
        let training = loaded.model.call(io.inputs, training: true)[0]
        // Dropout(0.5) in training mode would zero about half the units; with
        // training=False both passes are the same function of the input.
        KerasModelFixtures.assertClose(training, inference, tolerance: 1e-6, "training-mode pass")
        guard case let .functional(f) = loaded.keras.spec else { return XCTFail("expected a functional spec") }
        XCTAssertEqual(f.layers.first { $0.name == "drop" }?.training, false)
        XCTAssertEqual(f.layers.first { $0.name == "bn" }?.training, false)
    }

    /// A nested model's weights are read layer by layer from its own group, in its
    /// layer order (LayerNormalization before Dense, not alphabetically), and the
    /// functional block called twice shares one set of weights.
    func testNestedModelsAreLayers() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("nested.keras"))
        let layers = loaded.model.layers
        XCTAssertEqual(layers.map(\.typeName), ["Sequential", "Functional", "Dense"])
        let stem = try XCTUnwrap(layers[0] as? ModelLayer)
        XCTAssertEqual(stem.model.layers.map(\.name), ["stem_ln", "stem_dense", "stem_bn"])
        XCTAssertEqual(stem.parameters.map(\.shape), [[6], [6], [6, 8], [8], [8], [8], [8], [8]])
        XCTAssertEqual(KerasFile.nativeGroupNames(loaded.keras.layers.map(\.className)),
                       ["input_layer", "sequential", "functional", "dense"])
    }

    /// Exporting a functional model with preprocessing (leading Rescaling) rewires only
    /// the outer calls and keeps the nested models' weights (a regression: they were lost).
    func testExportWithPreprocessingKeepsNestedWeights() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("nested.keras"))
        var p = Preprocessing()
        p.rescale = 0.5
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nested-\(UUID().uuidString).keras").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try KerasExport.write(model: loaded.model, spec: loaded.keras.spec, name: "nested", preprocessing: p, to: path)
        let back = try KerasFile.load(path: path)
        XCTAssertEqual(back.preprocessing?.rescale, 0.5)
        XCTAssertEqual(back.model.parameters.map(\.value.scalars), loaded.model.parameters.map(\.value.scalars))
    }

    /// Aliases export as the operation class Keras writes for them, in its module
    /// (`ops.swish` is `Silu` in ops.nn, `ops.abs` is `Absolute`, `ops.tanh` is numpy's).
    func testOperationAliasesExportAsKerasClasses() throws {
        let spec = try Spec.parse(text: """
            model:
              inputs: [{Input: {name: x, shape: [3]}}]
              layers:
                - ops.swish: {name: a, inputs: x}
                - ops.hard_swish: {name: b, inputs: a}
                - ops.abs: {name: c, inputs: b}
                - ops.tanh: {name: d, inputs: c}
                - ops.true_divide: {name: e, inputs: [d, 2.0]}
              outputs: e
            """, file: "ops.yaml")
        let model = try ModelBuilder.build(spec)
        let config = try KerasExport.modelConfig(model: model, spec: spec.model, name: "ops")
        let layers = try XCTUnwrap((config["config"] as? [String: Any])?["layers"] as? [[String: Any]])
        let written = layers.compactMap { l -> String? in
            guard let module = l["module"] as? String, module.hasPrefix("keras.src.ops") else { return nil }
            return "\(module.dropFirst(14)).\(l["class_name"] as? String ?? "")"
        }
        XCTAssertEqual(written, ["nn.Silu", "nn.HardSilu", "numpy.Absolute", "numpy.Tanh", "numpy.Divide"])
    }
}

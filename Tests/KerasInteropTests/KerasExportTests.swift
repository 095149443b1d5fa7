import Foundation
import XCTest
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// `.keras` files written by kerasctl: read back, they predict exactly as the model did,
/// and their layout is Keras 3's. (That real Keras loads them is checked by
/// `bench/keras_roundtrip.sh`, which needs Keras installed.)
final class KerasExportTests: XCTestCase {
    func temp() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    /// Exports `model`, reads the file back and compares predictions on `inputs`.
    func roundTrip(_ model: Model, spec: ModelSpec, name: String, inputs: [Tensor]) throws -> LoadedKerasModel {
        let path = try temp().appendingPathComponent("\(name).keras").path
        try KerasExport.write(model: model, spec: spec, name: name, to: path)
        let back = try KerasFile.load(path: path)
        XCTAssertEqual(back.model.parameterCount, model.parameterCount)
        for (a, b) in zip(model.predict(inputs), back.model.predict(inputs)) {
            KerasModelFixtures.assertClose(b, a, tolerance: 0, "\(name) round trip")
        }
        return back
    }

    func testKerasFilesRoundTripExactly() throws {
        var ran: [String] = []
        for name in KerasModelFixtures.names + KerasModelFixtures.graphNames {
            let loaded: LoadedKerasModel
            do { loaded = try KerasFile.load(path: KerasModelFixtures.path("\(name).keras")) } catch let e as SpecError where e.message.hasPrefix("unknown layer") {
                continue
            }
            let back = try roundTrip(loaded.model, spec: loaded.keras.spec, name: name, inputs: try KerasModelFixtures.io(name).inputs)
            // Keras's own layer order and names survive.
            XCTAssertEqual(back.keras.layers.map(\.name), loaded.keras.layers.map(\.name), name)
            ran.append(name)
        }
        XCTAssertTrue(KerasFileTests.required.union(KerasModelFixtures.graphNames).isSubset(of: ran), "\(ran)")
    }

    func testYAMLSpecsExport() throws {
        let spec = try Spec.parse(text: """
            model:
              type: functional
              inputs: [{Input: {name: a, shape: [5]}}, {Input: {name: b, shape: [5]}}]
              layers:
                - Dense: {name: enc, units: 4, activation: tanh, kernel_regularizer: {l2: 0.01}, inputs: a}
                - Shared: {layer: enc, name: enc_b, inputs: b}
                - Concatenate: {name: cat, inputs: [enc, enc_b]}
                - Dense: {name: out, units: 2, activation: softmax, inputs: cat}
              outputs: [out]
            """, file: "f.yaml")
        let model = try ModelBuilder.build(spec, seed: 3)
        let x = [Tensor(shape: [3, 5], data: (0..<15).map { Float($0) / 7 - 1 }), Tensor(shape: [3, 5], data: (0..<15).map { Float($0 % 4) / 3 })]
        let back = try roundTrip(model, spec: spec.model, name: "f", inputs: x)
        XCTAssertEqual(back.keras.layers.map(\.className), ["InputLayer", "InputLayer", "Dense", "Concatenate", "Dense"])

        let seq = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - Dense: 4\n    - Dropout: 0.5\n    - Dense: {units: 1, activation: sigmoid}\n", file: "s.yaml")
        let m = try ModelBuilder.build(seq, seed: 1)
        _ = try roundTrip(m, spec: seq.model, name: "s", inputs: [Tensor(shape: [2, 3], data: [1, 2, 3, -1, 0, 1])])
    }

    /// The activation, preprocessing and applications layers and the constraints export
    /// with their Keras classes and arguments (a real-Keras load of the same is in
    /// bench/keras_roundtrip.sh, spec bench/roundtrip/iris_layers.yaml).
    func testActivationAndApplicationsLayersExport() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("activation_layers.keras"))
        let back = try roundTrip(loaded.model, spec: loaded.keras.spec, name: "activation_layers",
                                 inputs: try KerasModelFixtures.io("activation_layers").inputs)
        XCTAssertEqual(back.keras.layers.map(\.className), loaded.keras.layers.map(\.className))
        let dense = try XCTUnwrap(back.model.layers.first { $0.name == "out" })
        XCTAssertEqual(dense.parameters.first?.constraint as? MinMaxNorm, MinMaxNorm(minValue: 0.2, maxValue: 1, rate: 0.7, axis: [0]))
        // Keras 2's ThresholdedReLU is written as Keras 3's ReLU(threshold=theta).
        let spec = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - ThresholdedReLU: 0.5\n    - Dense: 2\n", file: "t.yaml")
        let model = try ModelBuilder.build(spec, seed: 2)
        let t = try roundTrip(model, spec: spec.model, name: "t", inputs: [Tensor(shape: [2, 3], data: [0.2, 0.7, -1, 3, 0.5, 0.6])])
        XCTAssertEqual(t.keras.layers.map(\.className), ["ReLU", "Dense"])
    }

    func testPreprocessingBecomesLeadingLayersAndComesBack() throws {
        let spec = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - Dense: 2\n", file: "p.yaml")
        let model = try ModelBuilder.build(spec)
        let pre = Preprocessing(rescale: 0.5, mean: [1, 2, 3], std: [2, 0.5, 4])
        let path = try temp().appendingPathComponent("p.keras").path
        try KerasExport.write(model: model, spec: spec.model, name: "p", preprocessing: pre, to: path)
        let back = try KerasFile.load(path: path)
        XCTAssertEqual(back.keras.layers.map(\.className), ["Rescaling", "Normalization", "Dense"])
        XCTAssertEqual(back.model.layers.map(\.name), ["dense"])
        let p = try XCTUnwrap(back.preprocessing)
        XCTAssertEqual(p.rescale, 0.5)
        XCTAssertEqual(p.mean, [1, 2, 3])
        for (a, b) in zip(p.std ?? [], [2, 0.5, 4] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testFunctionalPreprocessingComesBack() throws {
        let spec = try Spec.parse(text: """
            model:
              inputs: [{Input: {name: x, shape: [2]}}]
              layers:
                - Dense: {name: a, units: 3, inputs: x}
                - Concatenate: {name: c, inputs: [a, x]}
              outputs: [c]
            """, file: "f.yaml")
        let model = try ModelBuilder.build(spec)
        let path = try temp().appendingPathComponent("f.keras").path
        try KerasExport.write(model: model, spec: spec.model, name: "f", preprocessing: Preprocessing(rescale: 2, mean: [1, 2], std: [3, 4]), to: path)
        let back = try KerasFile.load(path: path)
        XCTAssertEqual(back.keras.layers.map(\.name), ["x", "rescaling", "normalization", "a", "c"])
        XCTAssertEqual(back.preprocessing?.rescale, 2)
        XCTAssertEqual(back.preprocessing?.mean, [1, 2])
        let x = [Tensor(shape: [1, 2], data: [0.5, -1])]
        KerasModelFixtures.assertClose(back.model.predict(x)[0], model.predict(x)[0], tolerance: 0, "functional with preprocessing")
    }

    func testKerasLayerOrderFollowsMapGraph() {
        // c = Dense(x); a = Dense(x); b = Dense(a); out = Add(b, c); u unused.
        // Real Keras 3 lists model.layers as x, a, b, c, u, out (decreasing depth, then
        // walk order from the outputs; unused inputs first at depth 0).
        typealias C = KerasExport.Call
        let calls: [String: C] = [
            "x#0": C(layer: "x", call: 0, inputs: [], isInput: true),
            "u#0": C(layer: "u", call: 0, inputs: [], isInput: true),
            "c#0": C(layer: "c", call: 0, inputs: [("x#0", 0, "x")], isInput: false),
            "a#0": C(layer: "a", call: 0, inputs: [("x#0", 0, "x")], isInput: false),
            "b#0": C(layer: "b", call: 0, inputs: [("a#0", 0, "a")], isInput: false),
            "out#0": C(layer: "out", call: 0, inputs: [("b#0", 0, "b"), ("c#0", 0, "c")], isInput: false),
        ]
        XCTAssertEqual(KerasExport.kerasLayerOrder(calls: calls, outputs: ["out#0"], inputs: ["x", "u"]),
                       ["x", "a", "b", "c", "u", "out"])
    }

    func testArchiveLayout() throws {
        let spec = try Spec.parse(text: "model:\n  input_shape: [2]\n  layers:\n    - Dense: 3\n    - Dense: 1\n", file: "s.yaml")
        let model = try ModelBuilder.build(spec)
        let zip = try ZipArchive(bytes: KerasExport.archive(model: model, spec: spec.model, name: "s"), file: "s.keras")
        XCTAssertEqual(zip.members.map(\.name), ["metadata.json", "config.json", "model.weights.h5"])
        let h5 = try HDF5File.open(image: zip.read(zip.member("model.weights.h5")!), name: "w")
        XCTAssertEqual(h5.children("/layers"), ["dense", "dense_1"])
        XCTAssertEqual(try h5.floatShape("/layers/dense_1/vars/0"), [3, 1])
        XCTAssertEqual(h5.kind("/vars"), .group)
    }
}

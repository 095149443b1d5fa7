import KerasText
import Foundation
import XCTest
import KerasBuilder
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// Models saved by real Keras 3, read by kerasctl: predictions equal Keras's to 1e-5.
final class KerasFileTests: XCTestCase {
    /// Every fixture model must load and predict as Keras.
    static let required = Set(KerasModelFixtures.names)

    /// Loads `NAME.EXT` and compares its predictions on the fixture's inputs with Keras's.
    /// Returns false when the model uses a layer this build does not register.
    @discardableResult
    func checkPredictions(_ name: String, _ ext: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let io = try KerasModelFixtures.io(name)
        let loaded: LoadedKerasModel
        do {
            loaded = try KerasFile.load(path: KerasModelFixtures.path("\(name).\(ext)"))
        } catch let e as SpecError where e.message.hasPrefix("unknown layer") && !Self.required.contains(name) {
            print("not run: \(name).\(ext): \(e)")
            return false
        }
        XCTAssertEqual(loaded.model.parameterCount, io.params, "\(name).\(ext) parameter count", file: file, line: line)
        let outputs = loaded.model.predict(io.inputs)
        XCTAssertEqual(outputs.count, io.outputs.count, file: file, line: line)
        for (k, (got, want)) in zip(outputs, io.outputs).enumerated() {
            KerasModelFixtures.assertClose(got, want, "\(name).\(ext) output \(k)", file: file, line: line)
        }
        return true
    }

    func testNativeKerasFilesPredictAsKeras() throws {
        var ran: [String] = []
        for name in KerasModelFixtures.names where try checkPredictions(name, "keras") { ran.append(name) }
        print("ran .keras:", ran)
        XCTAssertTrue(Self.required.isSubset(of: ran))
    }

    func testLegacyH5FilesPredictAsKeras() throws {
        var ran: [String] = []
        for name in KerasModelFixtures.names where try checkPredictions(name, "h5") { ran.append(name) }
        print("ran .h5:", ran)
        XCTAssertTrue(Self.required.isSubset(of: ran))
    }

    /// Activation, preprocessing and keras.applications layers with weight constraints
    /// (gen_layer_models.py): an adapted Normalization's int64 count, the custom layers'
    /// module-qualified classes, constraints in the configs.
    func testActivationAndApplicationsLayersPredictAsKeras() throws {
        XCTAssertTrue(try checkPredictions("activation_layers", "keras"))
        XCTAssertTrue(try checkPredictions("activation_layers", "h5"))
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("activation_layers.keras"))
        let conv = try XCTUnwrap(loaded.model.layers.first { $0.name == "conv" })
        XCTAssertEqual(conv.parameters.first?.constraint as? MaxNorm, MaxNorm(maxValue: 1.5, axis: [0, 1, 2]))
        let adapted = try XCTUnwrap(loaded.model.layers.first { $0.name == "adapted" })
        XCTAssertEqual(adapted.parameters.map(\.shape), [[4], [4], []])
        XCTAssertNotEqual(adapted.parameters[0].value[flat: 0], 0)   // the adapted mean was loaded
    }

    func testKerasVersionAndLayerOrder() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("siamese.keras"))
        XCTAssertEqual(loaded.kerasVersion?.hasPrefix("3."), true)
        XCTAssertEqual(loaded.keras.layers.map(\.name), ["left", "right", "enc", "diff", "cat", "score"])
        XCTAssertEqual(KerasFile.nativeGroupNames(loaded.keras.layers.map(\.className)),
                       ["input_layer", "input_layer_1", "dense", "subtract", "concatenate", "dense_1"])
        XCTAssertEqual(loaded.model.inputNames, ["left", "right"])
    }

    func testKerasSnakeCase() {
        XCTAssertEqual(kerasSnakeCase("MaxPooling2D"), "max_pooling2d")
        XCTAssertEqual(kerasSnakeCase("LSTM"), "lstm")
        XCTAssertEqual(kerasSnakeCase("BatchNormalization"), "batch_normalization")
        XCTAssertEqual(kerasSnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
        XCTAssertEqual(kerasSnakeCase("InputLayer"), "input_layer")
        XCTAssertEqual(kerasSnakeCase("Conv2DTranspose"), "conv2d_transpose")
    }
}

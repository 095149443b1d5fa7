import Foundation
import XCTest
import KerasBuilder
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// Narrow keras.applications MobileNets saved by real Keras (`Fixtures/applications/
/// gen_applications.py --small .`, weights and BatchNormalization statistics perturbed):
/// ReLU(6) layers, depthwise convolutions, asymmetric ZeroPadding, MobileNetV3's
/// Rescaling with an offset and its hard-swish and squeeze-and-excite written as keras.ops
/// operations with constants. They load, count Keras's parameters, predict as Keras
/// (1e-4) and survive `export`. Every full-size architecture is checked against real Keras
/// by `make applications` (bench/applications.py), which needs Keras installed.
final class ApplicationFixtureTests: XCTestCase {
    static let names = ["mobilenet_v3_small_a035", "mobilenet_v2_a035"]

    func testSmallApplicationsPredictAsKerasAndRoundTrip() throws {
        for name in Self.names {
            let io = try KerasModelFixtures.io(name)
            let loaded = try KerasFile.load(path: KerasModelFixtures.path("\(name).keras"))
            XCTAssertEqual(loaded.model.parameterCount, io.params, name)
            XCTAssertNil(loaded.preprocessing, "\(name): no leading layer is taken as preprocessing")
            KerasModelFixtures.assertClose(loaded.model.predict(io.inputs)[0], io.outputs[0], tolerance: 1e-4, name)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).keras").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try KerasExport.write(model: loaded.model, spec: loaded.keras.spec, name: name, preprocessing: nil, to: path)
            let back = try KerasFile.load(path: path)
            XCTAssertEqual(back.model.parameters.map(\.value.scalars), loaded.model.parameters.map(\.value.scalars), name)
        }
    }

    /// MobileNetV3's hard sigmoid is `ReLU(6)(x + 3) * (1/6)`: Keras operation nodes with
    /// constant operands, which become `ops.add` and `ops.multiply` layers.
    func testMobileNetV3UsesOperationsWithConstants() throws {
        let loaded = try KerasFile.load(path: KerasModelFixtures.path("mobilenet_v3_small_a035.keras"))
        guard case let .functional(f) = loaded.keras.spec else { return XCTFail("expected a functional spec") }
        let adds = f.layers.filter { $0.kind == "ops.add" }
        XCTAssertFalse(adds.isEmpty)
        XCTAssertTrue(adds.allSatisfy { $0.constants.map(\.value) == [3.0] })
        XCTAssertTrue(f.layers.contains { $0.kind == "ops.multiply" && $0.constants.first?.value == 1.0 / 6.0 })
    }
}

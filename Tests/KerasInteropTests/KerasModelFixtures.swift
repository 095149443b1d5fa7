import Foundation
import XCTest
import KerasEngine

/// The models real Keras saved in `Fixtures/keras_models/` (made by
/// `gen_keras_models.py` beside them) and `Fixtures/keras_graph/` (`gen_graph_models.py`:
/// keras.ops operations, `training=False`, nested models): `NAME.keras`, `NAME.h5`,
/// `NAME.json` and `NAME.io.json` (fixed inputs and Keras's predictions); the graph
/// models also `NAME.weights.h5` (`save_weights`).
enum KerasModelFixtures {
    /// Every model `gen_keras_models.py` makes.
    static let names = ["mlp_bn", "cnn", "rnn", "rnn_wrappers", "residual", "siamese"]
    /// Every model `gen_graph_models.py` makes.
    static let graphNames = ["ops_graph", "training_false", "nested"]

    /// The path of a fixture file.
    static func path(_ file: String) -> String {
        for folder in ["keras_models", "keras_graph", "applications"] {
            if let url = Bundle.module.url(forResource: "Fixtures/\(folder)/\(file)", withExtension: nil) { return url.path }
        }
        return "missing-fixture-\(file)"
    }

    /// The fixture's inputs, Keras's outputs and parameter count.
    static func io(_ name: String) throws -> (inputs: [Tensor], outputs: [Tensor], params: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("\(name).io.json")))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func tensors(_ key: String) throws -> [Tensor] {
            try XCTUnwrap(root[key] as? [[String: Any]]).map { d in
                let shape = try XCTUnwrap(d["shape"] as? [Int])
                let values = try XCTUnwrap(d["data"] as? [Double])
                return Tensor(shape: shape, data: values.map(Float.init))
            }
        }
        return (try tensors("inputs"), try tensors("outputs"), try XCTUnwrap(root["params"] as? Int))
    }

    /// Asserts `got` equals Keras's `want` within `tolerance` (absolute, relative above 1).
    static func assertClose(_ got: Tensor, _ want: Tensor, tolerance: Float = 1e-5, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        guard got.shape == want.shape else {
            XCTFail("\(what): shape \(got.shape) vs Keras \(want.shape)", file: file, line: line)
            return
        }
        for i in 0..<got.count {
            let (a, b) = (got[flat: i], want[flat: i])
            if Swift.abs(a - b) > tolerance * Swift.max(1, Swift.abs(b)) || a.isNaN != b.isNaN {
                XCTFail("\(what)[\(i)]: \(a) vs Keras \(b)", file: file, line: line)
                return
            }
        }
    }
}

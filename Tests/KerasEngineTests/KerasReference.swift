import Foundation
import XCTest
@testable import KerasEngine

/// Loads the reference numbers made by real Keras (see
/// `Fixtures/keras_reference/README.md` and the `gen_*.py` scripts beside them).
enum KerasReference {
    /// The `cases` of `Fixtures/keras_reference/<topic>.json`.
    static func cases(_ topic: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        guard let url = Bundle.module.url(forResource: "Fixtures/keras_reference/\(topic)", withExtension: "json") else {
            XCTFail("missing fixture \(topic).json", file: file, line: line)
            return []
        }
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else {
            XCTFail("fixture \(topic).json has no cases", file: file, line: line)
            return []
        }
        return cases
    }

    /// A `{"shape": [...], "data": [...]}` array as a tensor.
    static func tensor(_ any: Any?) -> Tensor? {
        guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Double] else { return nil }
        return Tensor(shape: shape, data: data.map(Float.init))
    }

    /// Asserts two tensors agree elementwise within an absolute+relative tolerance.
    static func assertClose(_ got: Tensor, _ want: Tensor, tolerance: Float = 1e-5, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        guard got.count == want.count else {
            XCTFail("\(what): shape \(got.shape) vs Keras \(want.shape)", file: file, line: line); return
        }
        for i in 0..<got.count {
            let (a, b) = (got[flat: i], want[flat: i])
            if Swift.abs(a - b) > tolerance * Swift.max(1, Swift.abs(b)) || a.isNaN != b.isNaN {
                XCTFail("\(what)[\(i)]: \(a) vs Keras \(b)", file: file, line: line); return
            }
        }
    }
}

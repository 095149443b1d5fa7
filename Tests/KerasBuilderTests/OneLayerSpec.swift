import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// A one-layer sequential spec, as the builder tests write them: `- <yaml>` on `input`.
enum OneLayerSpec {
    static func text(_ yaml: String, input: String) -> String {
        "model:\n  input_shape: \(input)\n  layers:\n    - \(yaml)\n"
    }

    /// The layer the registry makes from `yaml` (not built).
    static func layer(_ yaml: String, input: String) throws -> any Layer {
        let spec = try Spec.parse(text: text(yaml, input: input), file: "t.yaml")
        guard case let .sequential(s) = spec.model, let first = s.layers.first else { throw XCTSkip("no layer parsed") }
        return try LayerRegistry.table.make(first.object)
    }

    /// The built model of a whole spec `text`.
    static func model(_ text: String) throws -> Model { try ModelBuilder.build(try Spec.parse(text: text, file: "t.yaml")) }

    /// Asserts that building `yaml` on `input` fails with exactly `message`.
    static func assertError(_ yaml: String, _ message: String, input: String, file: StaticString, line: UInt) {
        XCTAssertThrowsError(try model(text(yaml, input: input)), file: file, line: line) { e in
            XCTAssertEqual("\(e)", message, file: file, line: line)
        }
    }
}

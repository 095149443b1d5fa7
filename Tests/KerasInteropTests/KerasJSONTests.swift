import Foundation
import XCTest
import KerasBuilder
import KerasEngine
import KerasSpec
@testable import KerasInterop

/// `model: {keras_json: FILE}`: what Keras's `model.to_json()` writes, built by the
/// builder's registries, with errors located in the JSON file.
final class KerasJSONTests: XCTestCase {
    func spec(_ yaml: String, in folder: URL) throws -> Spec {
        let file = folder.appendingPathComponent("spec.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try Spec.load(path: file.path)
    }

    func temp() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: u) }
        return u
    }

    func testEveryFixtureJSONBuildsWithKerasParameterCount() throws {
        var ran: [String] = []
        for name in KerasModelFixtures.names {
            let io = try KerasModelFixtures.io(name)
            let keras = try KerasJSON.load(path: KerasModelFixtures.path("\(name).json"))
            do {
                let model = try ModelBuilder.build(keras)
                XCTAssertEqual(model.parameterCount, io.params, name)
                ran.append(name)
            } catch let e as SpecError where e.message.hasPrefix("unknown layer") && !KerasFileTests.required.contains(name) {
                print("not run: \(name).json: \(e)")
            }
        }
        print("built from JSON:", ran)
        XCTAssertTrue(KerasFileTests.required.isSubset(of: ran))
    }

    func testSpecWithKerasJSONModel() throws {
        let dir = try temp()
        try FileManager.default.copyItem(atPath: KerasModelFixtures.path("residual.json"), toPath: dir.appendingPathComponent("m.json").path)
        let s = try spec("model: {keras_json: m.json}\n", in: dir)
        let model = try ModelBuilder.build(s)
        XCTAssertEqual(model.parameterCount, 146)
        XCTAssertEqual(model.layers.map(\.name), ["h1", "h2", "skip", "act", "out"])
    }

    func testSharedLayerBecomesSharedEntry() throws {
        let keras = try KerasJSON.load(path: KerasModelFixtures.path("siamese.json"))
        guard case let .functional(f) = keras.spec else { return XCTFail("expected a functional spec") }
        XCTAssertEqual(f.layers.map(\.kind), ["Dense", "Shared", "Subtract", "Concatenate", "Dense"])
        XCTAssertEqual(f.layers[1].name, "enc@1")
        XCTAssertEqual(f.layers[1].inputs, ["right"])
        XCTAssertEqual(f.layers[2].inputs, ["enc", "enc@1"])
    }

    func testOlderInboundNodeForm() throws {
        let json = """
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [null, 3], "name": "x"}, "inbound_nodes": []},
          {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2, "activation": "relu", "kernel_constraint": null},
           "inbound_nodes": [[["x", 0, 0, {}]]]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}, "keras_version": "2.15.0"}
        """
        let keras = try KerasJSON.parse(bytes: Array(json.utf8), file: "old.json")
        let model = try ModelBuilder.build(keras)
        XCTAssertEqual(model.parameterCount, 8)
    }

    func testUnsupportedLayerIsLocatedInTheJSON() throws {
        let json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 4]}},
          {"class_name": "Dense", "config": {"name": "d", "units": 3}},
          {"class_name": "Conv3D", "config": {"name": "c", "filters": 2}}]}}
        """
        let keras = try KerasJSON.parse(bytes: Array(json.utf8), file: "m.json")
        XCTAssertThrowsError(try ModelBuilder.build(keras)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix("m.json:4:18:"), text)
            XCTAssertTrue(text.contains("Conv3D"), text)
        }
    }

    func testUnsupportedArgumentIsAnError() throws {
        let json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 4]}},
          {"class_name": "Dense", "config": {"name": "d", "units": 3, "lora_rank": 4}}]}}
        """
        let keras = try KerasJSON.parse(bytes: Array(json.utf8), file: "m.json")
        XCTAssertThrowsError(try ModelBuilder.build(keras)) { e in
            XCTAssertTrue("\(e)".contains("lora_rank"), "\(e)")
            XCTAssertTrue("\(e)".hasPrefix("m.json:3:"), "\(e)")
        }
        // Constraints are supported (they were not before issue 14).
        let constrained = try KerasJSON.parse(bytes: Array(json.replacingOccurrences(of: "\"lora_rank\": 4",
            with: "\"kernel_constraint\": {\"class_name\": \"NonNeg\", \"config\": {}}").utf8), file: "m.json")
        XCTAssertTrue(try ModelBuilder.build(constrained).layers.first?.parameters.first?.constraint is NonNeg)
    }

    func testNotAModel() throws {
        XCTAssertThrowsError(try KerasJSON.parse(bytes: Array(#"{"class_name": "Dense", "config": {"layers": []}}"#.utf8), file: "x.json")) { e in
            XCTAssertTrue("\(e)".contains("unsupported model class 'Dense'"), "\(e)")
        }
    }
}

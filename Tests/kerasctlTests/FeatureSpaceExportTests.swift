import Foundation
@testable import KerasInterop
import XCTest

/// `kerasctl export` of feature_space models, checked without Keras against what real Keras
/// did with the same export (Fixtures/fs_export, made by make_fixture.py): Keras's
/// `load_model(...).predict` on raw rows (a dict of column arrays, strings included) must be
/// what `kerasctl predict` prints from the model directory, and a fresh export must write
/// the config Keras read. `make export-check` repeats the Keras side on the example specs.
final class FeatureSpaceExportTests: TempDirTestCase {
    static let fixtures = CLI.root.appendingPathComponent("Tests/kerasctlTests/Fixtures/fs_export")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    /// The config.json of a .keras file.
    func config(_ path: String) throws -> [String: Any] {
        let zip = try ZipArchive(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        let member = try XCTUnwrap(zip.member("config.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try zip.read(member))) as? [String: Any])
    }

    func export(_ model: String) throws -> [String: Any] {
        let out = dir.appendingPathComponent("\(model).keras").path
        let r = try CLI.run(["export", fixture("\(model)_model"), out])
        XCTAssertEqual(r.code, 0, r.stderr)
        return try config(out)
    }

    func numbers(_ csv: String) -> [[Double]] {
        csv.split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }
    }

    /// Both fixtures (every feature type concatenated; dict mode with int text into an
    /// Embedding and a GRU): rows with unseen categories, NA numbers and empty texts.
    func testKerasPredictsFromTheExportWhatKerasctlPredicts() throws {
        for model in ["mixed", "text_dict"] {
            let fresh = try export(model)
            XCTAssertTrue(NSDictionary(dictionary: fresh).isEqual(to: try config(fixture("\(model).keras"))),
                          "\(model): a fresh export's config.json differs from the one Keras read")
            let p = try CLI.run(["predict", fixture("\(model)_model"), "--input", fixture("rows.csv"), "--probabilities"])
            XCTAssertEqual(p.code, 0, p.stderr)
            let ours = numbers(p.stdout)
            let keras = numbers(try String(contentsOfFile: fixture("\(model)_keras.csv"), encoding: .utf8))
            XCTAssertEqual(ours.count, 24)
            XCTAssertEqual(ours.map(\.count), keras.map(\.count))
            for (a, b) in zip(ours.joined(), keras.joined()) {
                XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)), model)
            }
        }
    }

    /// The layers of the exported graph by name.
    func layers(_ config: [String: Any]) -> [String: [String: Any]] {
        let list = (config["config"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
        var out: [String: [String: Any]] = [:]
        for l in list { if let n = l["name"] as? String { out[n] = l } }
        return out
    }

    func layerConfig(_ layers: [String: [String: Any]], _ name: String) throws -> [String: Any] {
        try XCTUnwrap(layers[name]?["config"] as? [String: Any], "no layer '\(name)'")
    }

    /// The adapted state read from the model directory's preprocessing.json.
    func states(_ model: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: fixture("\(model)_model"))
        let ckpt = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: url.path).first { $0.hasPrefix("ckpt-") })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("\(ckpt)/preprocessing.json"))) as? [String: Any]
        return try XCTUnwrap((json?["featureSpace"] as? [String: Any])?["states"] as? [String: Any])
    }

    func testExportedConfigHoldsTheAdaptedLayers() throws {
        let c = try export("mixed")
        let l = layers(c)
        // Keras's FeatureSpace inputs: shape (1,), float32 / int32 / string, named after the column.
        let dtypes = ["age": "float32", "area": "float32", "city": "string", "grade": "int32", "lat": "float32",
                      "note": "string", "price": "float32", "rooms": "int32", "zip code": "string"]
        for (name, dtype) in dtypes {
            let input = try layerConfig(l, name)
            XCTAssertEqual(l[name]?["class_name"] as? String, "InputLayer")
            XCTAssertEqual(input["dtype"] as? String, dtype, name)
            XCTAssertEqual((input["batch_shape"] as? [Any])?.last as? Int, 1)
        }
        let inputLayers = (c["config"] as? [String: Any])?["input_layers"] as? [String: Any]
        XCTAssertEqual(Set(inputLayers?.keys.map { $0 } ?? []), Set(dtypes.keys))
        var classes: [String: Int] = [:]
        for layer in l.values { classes[layer["class_name"] as? String ?? "", default: 0] += 1 }
        XCTAssertEqual(classes, ["InputLayer": 9, "Isnan": 2, "Where": 2, "StringLookup": 1, "IntegerLookup": 1, "Hashing": 2,
                                 "Normalization": 1, "Discretization": 1, "Rescaling": 1, "TextVectorization": 1, "Reshape": 1,
                                 "HashedCrossing": 1, "CategoryEncoding": 6, "Concatenate": 1, "Sequential": 1])

        let s = try states("mixed")
        func state(_ f: String, _ k: String) -> Any? { (s[f] as? [String: Any])?[k] }
        let city = try layerConfig(l, "city_preprocessor")
        XCTAssertEqual(city["vocabulary"] as? [String], (state("city", "vocabulary") as? [String: Any])?["tokens"] as? [String])
        XCTAssertEqual(Set(city["vocabulary"] as? [String] ?? []), ["Lyon", "Oslo", "Kyoto", "Quito", "Perth"])
        XCTAssertEqual(city["num_oov_indices"] as? Int, 2)
        let grade = try layerConfig(l, "grade_preprocessor")
        XCTAssertEqual((grade["vocabulary"] as? [Int]).map { $0.map(String.init) }, (state("grade", "vocabulary") as? [String: Any])?["tokens"] as? [String])
        let area = try layerConfig(l, "area_preprocessor")
        XCTAssertEqual((area["mean"] as? [Double])?.first, state("area", "mean") as? Double)
        XCTAssertEqual((area["variance"] as? [Double])?.first, state("area", "variance") as? Double)
        XCTAssertEqual((try layerConfig(l, "price_preprocessor")["bin_boundaries"] as? [Double])?.count, 3)
        let age = try layerConfig(l, "age_preprocessor")
        XCTAssertEqual(age["scale"] as? Double, 0.1)
        XCTAssertEqual(age["offset"] as? Double, -1)
        XCTAssertEqual(try layerConfig(l, "zip_code_preprocessor")["num_bins"] as? Int, 8)
        XCTAssertEqual(try layerConfig(l, "rooms_preprocessor")["num_bins"] as? Int, 4)
        XCTAssertEqual(try layerConfig(l, "city_X_grade")["num_bins"] as? Int, 8)
        let note = try layerConfig(l, "note_preprocessor")
        XCTAssertEqual(note["output_mode"] as? String, "tf_idf")
        XCTAssertEqual(note["ngrams"] as? Int, 2)
        XCTAssertEqual((note["vocabulary"] as? [String])?.count, 11, "max_tokens 12 less the OOV index")
        XCTAssertEqual((note["idf_weights"] as? [Double])?.count, 11)

        // The fills: age's is the spec's 30; area's the median of the training column (by hand here).
        func fill(_ name: String) -> Double? { ((l[name]?["inbound_nodes"] as? [[String: Any]])?.first?["args"] as? [Any])?[1] as? Double }
        XCTAssertEqual(fill("age_fill"), 30)
        let table = try String(contentsOfFile: fixture("table.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let areas = table.compactMap { Double($0.split(separator: ",", omittingEmptySubsequences: false)[4]) }.sorted()
        XCTAssertEqual(fill("area_fill"), areas.count % 2 == 1 ? areas[areas.count / 2] : (areas[areas.count / 2 - 1] + areas[areas.count / 2]) / 2)
    }

    /// dict mode: the trained model is called on FeatureSpace's outputs in its inputs' order.
    func testDictModeFeedsTheModelInputsByName() throws {
        let l = layers(try export("text_dict"))
        let call = try XCTUnwrap((l["text_dict"]?["inbound_nodes"] as? [[String: Any]])?.first?["args"] as? [Any])
        let tensors = try XCTUnwrap(call.first as? [[String: Any]])
        let producers = tensors.compactMap { (($0["config"] as? [String: Any])?["keras_history"] as? [Any])?.first as? String }
        XCTAssertEqual(producers, ["note_preprocessor", "city_preprocessor", "area_preprocessor", "grade_one_hot", "price_preprocessor"])
        let note = try layerConfig(l, "note_preprocessor")
        XCTAssertEqual(note["output_mode"] as? String, "int")
        XCTAssertEqual(note["output_sequence_length"] as? Int, 6)
        XCTAssertNil(l["note_flatten"], "int sequences keep their shape")
        XCTAssertNil(l["concatenate"])
    }

    /// Inputs keep the column names (the keys of Keras's predict dict); the other layers get
    /// names TensorFlow's scopes take (`^[A-Za-z0-9_.\\/>-]*$`), unique even when a column
    /// is named like a derived layer.
    func testColumnNamesStayInputNames() throws {
        var text = "size (cm),a,a_preprocessor,label\n"
        for i in 0..<8 { text += "\(i).5,\(["x", "y"][i % 2]),\(i % 3),\(["p", "q"][i % 2])\n" }
        _ = try write("t.csv", text)
        let spec = try write("spec.yaml", """
        name: odd names
        data:
          train: {format: csv, path: t.csv, target: label}
          preprocess: {feature_space: {features: {size (cm): float_normalized, a: string_categorical, a_preprocessor: float}}}
        model: {layers: [{Dense: {units: 2, activation: softmax}}]}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy}
        fit: {epochs: 1, batch_size: 4}
        """)
        let model = dir.appendingPathComponent("m").path, out = dir.appendingPathComponent("m.keras").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model, "--quiet"]).code, 0)
        XCTAssertEqual(try CLI.run(["export", model, out]).code, 0)
        let list = try XCTUnwrap((try config(out)["config"] as? [String: Any])?["layers"] as? [[String: Any]])
        let names = list.compactMap { $0["name"] as? String }
        XCTAssertEqual(Set(names).count, names.count, "\(names)")
        let inputs = list.filter { $0["class_name"] as? String == "InputLayer" }.compactMap { $0["name"] as? String }
        XCTAssertEqual(Set(inputs), ["size (cm)", "a", "a_preprocessor"])
        let scope = try NSRegularExpression(pattern: "^[A-Za-z0-9_.\\\\/>-]*$")
        for n in names where !inputs.contains(n) {
            XCTAssertNotNil(scope.firstMatch(in: n, range: NSRange(n.startIndex..., in: n)), n)
        }
        XCTAssertTrue(names.contains("size__cm__preprocessor") && names.contains("a_preprocessor_1") && names.contains("odd_names"), "\(names)")
    }

    func testExportsThatCannotHoldTheModelFail() throws {
        CLI.assertFails(try CLI.run(["export", fixture("mixed_model"), dir.appendingPathComponent("m.h5").path]), code: 2,
                        contains: "the output must be a .keras file")
        // kerasctl does not read such a model back (its inputs are a dict of raw columns): one line.
        CLI.assertFails(try CLI.run(["summary", fixture("mixed.keras")]), code: 2, contains: "input_layers is a dict of named inputs")
        // A column name Keras cannot take as an input name.
        var text = "a/b,label\n"
        for i in 0..<8 { text += "\(["x", "y"][i % 2]),\(["p", "q"][i % 2])\n" }
        _ = try write("t.csv", text)
        let spec = try write("spec.yaml", """
        data:
          train: {format: csv, path: t.csv, target: label}
          preprocess: {feature_space: {features: {a/b: string_categorical}}}
        model: {layers: [{Dense: {units: 2, activation: softmax}}]}
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy}
        fit: {epochs: 1, batch_size: 4}
        """)
        let model = dir.appendingPathComponent("m").path
        XCTAssertEqual(try CLI.run(["train", spec, "-o", model, "--quiet"]).code, 0)
        CLI.assertFails(try CLI.run(["export", model, dir.appendingPathComponent("m.keras").path]), code: 3,
                        contains: "feature column 'a/b' cannot be a Keras input name")
    }
}

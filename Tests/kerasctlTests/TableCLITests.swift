import Foundation
import XCTest

/// Real tables end to end: `feature_space` specs train from raw CSV rows (strings, integer
/// codes, NA), `predict` and `evaluate` take raw rows and print class names, and bad tables
/// or feature specs end with one located line and the documented exit code.
final class TableCLITests: TempDirTestCase {

    /// A spec on `table` (in the temp folder) with these feature lines and model layers.
    func spec(table: String = "t.csv", target: String = "label", features: String, extra: String = "",
              layers: String = "    - Dense: {units: 2, activation: softmax}", na: String = "[NA, \"\"]") throws -> String {
        try write("spec.yaml", """
        seed: 3
        data:
          train: {format: csv, path: \(table), target: \(target), na_values: \(na)}
          preprocess:
            feature_space:
              features:
        \(features)
        \(extra)
        model:
          layers:
        \(layers)
        compile: {optimizer: adam, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit: {epochs: 2, batch_size: 4}
        """)
    }

    /// The penguins spec: trains, holds out its test split, and reaches Keras's accuracy
    /// (real Keras, same FeatureSpace, model and split: 0.9855-1.0 over seeds 1-5; kerasctl
    /// 0.9855-1.0, README "Real tables"); the bar leaves a margin under that spread.
    func testPenguinsTrainsPredictsRawRowsAndEvaluates() throws {
        let model = dir.appendingPathComponent("m").path, metrics = dir.appendingPathComponent("m.jsonl").path
        let r = try CLI.run(["train", "specs/penguins.yaml", "-o", model, "--quiet", "--metrics-out", metrics])
        XCTAssertEqual(r.code, 0, r.stderr)
        let last = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        let test = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        let accuracy = try XCTUnwrap(test?["test_accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 0.93)

        // Raw rows: NA everywhere, an island never seen (OOV), no target column, columns reordered.
        let rows = """
        year,sex,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g
        2007,male,Torgersen,39.1,18.7,181,3750
        2009,NA,Biscoe,50.5,15.9,225,5400
        2008,female,Atlantis,NA,NA,NA,NA

        """
        let p = try CLI.run(["predict", model, "--input", "-"], stdin: Data(rows.utf8))
        XCTAssertEqual(p.code, 0, p.stderr)
        let names = p.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(names.count, 3)
        XCTAssertEqual(names.first, "Adelie")
        XCTAssertEqual(names.dropFirst().first, "Gentoo")
        XCTAssertTrue(names.allSatisfy { ["Adelie", "Chinstrap", "Gentoo"].contains($0) }, p.stdout)

        // evaluate: the same held-out rows as train's test line.
        let e = try CLI.run(["evaluate", model, "--metrics-out", metrics])
        XCTAssertEqual(e.code, 0, e.stderr)
        let evaluated = try JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: metrics, encoding: .utf8).utf8)) as? [String: Any]
        XCTAssertEqual(try XCTUnwrap(evaluated?["test_accuracy"] as? Double), accuracy, accuracy: 1e-9)

        // A missing measure without a fill cannot be encoded: located at its cell.
        let bad = try write("bad.csv", "island,sex,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,year\nDream,male,40,NA,190,3500,2008\n")
        let b = try CLI.run(["predict", model, "--input", bad])
        XCTAssertEqual(b.code, 0, "bill_depth_mm has fill: mean in the spec: \(b.stderr)")
        let noYear = try write("noyear.csv", "island,sex,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g\nDream,male,40,18,190,3500\n")
        CLI.assertFails(try CLI.run(["predict", model, "--input", noYear]), code: 3, contains: "unknown feature column 'year'")
        // export: the end-to-end Keras model from raw columns (FeatureSpaceExportTests checks Keras's side).
        let x = try CLI.run(["export", model, dir.appendingPathComponent("x.keras").path])
        XCTAssertEqual(x.code, 0, x.stderr)
        XCTAssertTrue(x.stdout.hasPrefix("wrote "), x.stdout)
    }

    /// CSV as users have it: BOM, CRLF, quoted fields with delimiters and doubled quotes,
    /// column names with spaces and punctuation, a dict-mode functional model with one named
    /// input per feature.
    func testUserCSVAndDictInputs() throws {
        var text = "\u{FEFF}\"home town, state\",\"size (cm)\",label\r\n"
        for i in 0..<24 {
            let town = ["\"Springfield, IL\"", "\"Paris \"\"TX\"\"\"", "Rome"][i % 3]
            text += "\(town),\(i % 3 == 0 ? "NA" : String(100 + i)),\(i % 3 == 0 ? "yes" : "no")\r\n"
        }
        _ = try write("t.csv", text)
        let s = try write("spec.yaml", """
        seed: 1
        data:
          train: {format: csv, path: t.csv, target: label, na_values: [NA]}
          preprocess:
            feature_space:
              features:
                "home town, state": string_categorical
                "size (cm)": {float_normalized: {fill: median}}
              output_mode: dict
        model:
          type: functional
          inputs:
            - Input: {name: "home town, state", shape: [4]}
            - Input: {name: "size (cm)", shape: [1]}
          layers:
            - Concatenate: {name: both, inputs: ["home town, state", "size (cm)"]}
            - Dense: {name: out, units: 2, activation: softmax, inputs: both}
          outputs: [out]
        compile: {optimizer: {Adam: {learning_rate: 0.1}}, loss: sparse_categorical_crossentropy, metrics: [accuracy]}
        fit: {epochs: 30, batch_size: 8}
        """)
        let model = dir.appendingPathComponent("m").path
        let r = try CLI.run(["train", s, "-o", model, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let input = "label,\"size (cm)\",\"home town, state\"\nno,120,\"Paris \"\"TX\"\"\"\nyes,NA,\"Springfield, IL\"\n"
        let p = try CLI.run(["predict", model, "--input", "-"], stdin: Data(input.utf8))
        XCTAssertEqual(p.code, 0, p.stderr)
        XCTAssertEqual(p.stdout, "no\nyes\n", "the town decides the label (vocabulary of the quoted names)")
    }

    func testBadTablesAreLocatedExit3() throws {
        _ = try write("t.csv", "name,code,size,label\n\"a, b\",1,2.5,x\nc,2,NA,y\nd,3,4.5,x\ne,4,5,y\n")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          nme: string_categorical")]), code: 3,
                        contains: "unknown feature column 'nme'; did you mean 'name'?")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          size: integer_categorical")]), code: 3,
                        contains: "t.csv:2:3 (size): expected an integer category, got '2.5'")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: float")]), code: 3,
                        contains: "t.csv:2:1 (name): expected a number, got 'a, b'")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          size: float_normalized")]), code: 3,
                        contains: "t.csv:3:3 (size): missing value; give the feature a fill")
        _ = try write("allna.csv", "name,code,size,label\na,1,NA,x\nb,2,NA,y\n")
        CLI.assertFails(try CLI.run(["train", try spec(table: "allna.csv", features: "          size: {float: {fill: mean}}")]), code: 3,
                        contains: "allna.csv:1:3 (size): every value is missing in the 2 training rows")
        _ = try write("ragged.csv", "name,code,size,label\n\"a, b\",1,2,x\n\"c, d\",2,3\n")
        CLI.assertFails(try CLI.run(["train", try spec(table: "ragged.csv", features: "          name: string_categorical")]), code: 3,
                        contains: "ragged.csv:3: row has 3 fields, expected 4 as in the header")
        CLI.assertFails(try CLI.run(["train", try spec(target: "lable", features: "          name: string_categorical")]), code: 3,
                        contains: "unknown target column 'lable'; did you mean 'label'?")
    }

    func testBadFeatureSpecsAreLocatedExit2() throws {
        _ = try write("t.csv", "name,code,size,label\na,1,2.5,x\nc,2,3,y\n")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: string_categorica")]), code: 2,
                        contains: "spec.yaml:7:17: data.preprocess.feature_space.features.name (string_categorica): unknown feature type 'string_categorica'; did you mean 'string_categorical'?")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: {string_categorical: {fill: mean}}")]), code: 2,
                        contains: "unknown argument 'fill' for string_categorical")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: {string_categorical: {output_mode: int}}")]), code: 2,
                        contains: "output_mode int cannot be concatenated")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: string_categorical\n          size: float",
                                                        extra: "      crosses: [[name, size]]")]), code: 2,
                        contains: "cross names 'size', a float feature")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: string_categorical",
                                                        layers: "    - Input: {shape: [7]}\n    - Dense: {units: 2, activation: softmax}")]), code: 2,
                        contains: "input_shape [7] disagrees with the feature_space, which encodes each row as 3 values")
        CLI.assertFails(try CLI.run(["train", try spec(features: "          name: {float_discretized: {num_bins: 3, bin_boundaries: [2, 1]}}")]), code: 2,
                        contains: "bin_boundaries must be a non-empty list of increasing numbers")
    }

    /// A text column through TextVectorization (int sequences) into an Embedding by the
    /// input's name; predict takes raw sentences (case and punctuation standardized away).
    func testTextFeedsAnEmbeddingThroughANamedInput() throws {
        var text = "review,label\n"
        let good = ["good", "great", "fine"], bad = ["bad", "awful", "poor"], filler = ["the", "film", "was", "very", "a", "plot"]
        for i in 0..<60 {
            let word = i % 2 == 0 ? good[i % 3] : bad[i % 3]
            text += "\"\(filler[i % 6].capitalized) \(filler[(i + 1) % 6]) \(word), \(filler[(i + 2) % 6])!\",\(i % 2 == 0 ? "pos" : "neg")\n"
        }
        _ = try write("t.csv", text)
        let s = try write("spec.yaml", """
        seed: 2
        data:
          train: {format: csv, path: t.csv, target: label}
          preprocess:
            feature_space:
              features:
                review: {text: {max_tokens: 20, output_mode: int, output_sequence_length: 6}}
              output_mode: dict
        model:
          type: functional
          inputs:
            - Input: {name: review, shape: [6]}
          layers:
            - Embedding: {name: embed, input_dim: 20, output_dim: 8, inputs: review}
            - GlobalAveragePooling1D: {name: pool, inputs: embed}
            - Dense: {name: out, units: 2, activation: softmax, inputs: pool}
          outputs: [out]
        compile: {optimizer: {Adam: {learning_rate: 0.05}}, loss: sparse_categorical_crossentropy}
        fit: {epochs: 40, batch_size: 8}
        """)
        let model = dir.appendingPathComponent("m").path
        let r = try CLI.run(["train", s, "-o", model, "--quiet"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let p = try CLI.run(["predict", model, "--input", "-"], stdin: Data("review\nGREAT!!\n\"the plot, awful.\"\n".utf8))
        XCTAssertEqual(p.code, 0, p.stderr)
        XCTAssertEqual(p.stdout, "pos\nneg\n")
        // int sequences cannot be concatenated (Keras's rule): located at the feature.
        let concat = try write("bad.yaml", try String(contentsOfFile: s, encoding: .utf8).replacingOccurrences(of: "output_mode: dict", with: "output_mode: concat"))
        CLI.assertFails(try CLI.run(["train", concat]), code: 2, contains: "features.review (text): output_mode int cannot be concatenated")
    }
}

import Testing
import KerasSpec

/// Odd inputs must throw one-line errors, never trap.
@Test(arguments: [
    "model: {layers: [{}]}",
    "model: {layers: [[1]]}",
    "model: {layers: [~]}",
    "model: {layers: []}",
    "model: {layers: Dense}",
    "seed: -1\nmodel: {layers: [Dense: 1]}",
    "seed: 99999999999999999999999\nmodel: {layers: [Dense: 1]}",
    "name: 3\nmodel: {layers: [Dense: 1]}",
    "model: {layers: [Dense: 1]}\ncompile: {loss: {}}",
    "model: {layers: [Dense: 1]}\ncompile: {loss_weights: [1, 2]}",
    "model: {layers: [Dense: 1]}\nfit: {verbose: 3}",
    "model: {layers: [Dense: 1]}\nfit: {callbacks: [{}]}",
    "? [a, b]\n: c\nmodel: {layers: [Dense: 1]}",
    "\"a\\nb\": 1\nmodel: {layers: [Dense: 1]}",
    "model: {type: funky, layers: [Dense: 1]}",
    "model: {type: functional, inputs: [Dense: 1], layers: [Dense: 1], outputs: x}",
    "model: {type: functional, inputs: [Input: {name: x, shape: [0]}], layers: [Dense: 1], outputs: x}",
    "model: {keras_json: 3}",
    "data: {train: {format: csv}}\nmodel: {layers: [Dense: 1]}",
    "data: {train: {format: csv, path: a.csv, delimiter: ';;'}}\nmodel: {layers: [Dense: 1]}",
    "data: {train: {format: idx, x: {}}}\nmodel: {layers: [Dense: 1]}",
    "data: {preprocess: {rescale: .inf}}\nmodel: {layers: [Dense: 1]}",
    "model: !!python/object {layers: [Dense: 1]}",
    "<<: {a: 1}\nmodel: {layers: [Dense: 1]}",
    "---\n...\n",
    "\"just a string\"",
])
func hostileInputThrowsOneLine(text: String) {
    do {
        _ = try Spec.parse(text: text, file: "h.yaml")
        Issue.record("expected an error for: \(text)")
    } catch {
        #expect(error.description.hasPrefix("h.yaml"))
        #expect(!error.description.contains("\n"), "\(error.description)")
    }
}

@Test func errorDescriptionForms() {
    #expect(SpecError(file: "a.yaml", message: "m").description == "a.yaml: m")
    #expect(SpecError(file: "a.yaml", line: 2, column: 3, message: "m").description == "a.yaml:2:3: m")
    #expect(SpecError(file: "a.yaml", line: 2, column: 3, path: "fit", message: "m").description == "a.yaml:2:3: fit: m")
    #expect(SpecError(file: "a.yaml", line: 14, column: 7, path: "model.layers[3]", label: "Dense 'logits'",
                      message: "units must be a positive integer, got -4").description
            == "a.yaml:14:7: model.layers[3] (Dense 'logits'): units must be a positive integer, got -4")
    #expect(SpecError(file: "a.yaml", message: "x\ny").description == "a.yaml: x\\ny")
}

import ArgumentParser
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasSpec

/// `kerasctl export SOURCE OUT.keras`: writes a Keras 3 `.keras` file that
/// `keras.saving.load_model` reads and predicts with as kerasctl does.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model as a Keras 3 .keras file (config.json, metadata.json, model.weights.h5).",
        discussion: "SOURCE is a model directory (the trained weights), a .keras or .h5 file, or a spec (its initial weights).")

    @Argument(help: "A model directory, a .keras/.h5 file, or a model spec (YAML).") var source: String
    @Argument(help: "The .keras file to write.") var output: String

    func validate() throws {
        guard output.lowercased().hasSuffix(".keras") else {
            throw Failure.usage("the output must be a .keras file, got '\(output)'")
        }
    }

    func run() throws {
        try OutputCheck.file(output, flag: "the output file")
        let (model, spec, name, preprocessing) = try Export.load(source)
        try KerasExport.write(model: model, spec: spec, name: name, preprocessing: preprocessing, to: output)
        print("wrote \(output) (\(model.parameterCount.formatted()) parameters)")
    }

    /// The model, its spec and its name from any SOURCE kerasctl reads.
    static func load(_ source: String) throws -> (Model, ModelSpec, String, Preprocessing?) {
        if ModelStore.isModelDirectory(source) {
            let loaded = try ModelStore(source).loadModel()
            return (loaded.model, loaded.spec.model, loaded.manifest.name, loaded.preprocessing)
        }
        if KerasFile.isKerasFile(source) {
            let loaded = try KerasFile.load(path: source)
            return (loaded.model, loaded.keras.spec, loaded.keras.name, loaded.preprocessing)
        }
        let spec = try Spec.load(path: source)
        var shapes: [[Int]]?
        if let data = spec.data { shapes = try DataCheck.inputShapes(spec, data: data, inputNames: ModelNames(spec).inputs) }
        return (try ModelBuilder.build(spec, inputShapes: shapes), spec.model, spec.name, nil)
    }
}

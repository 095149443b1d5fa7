import ArgumentParser
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Parse and build a spec and check its data files' headers; no training.")

    @Argument(help: "The model spec (YAML).") var spec: String

    func run() throws {
        let spec = try Spec.load(path: self.spec)
        let names = ModelNames(spec)
        var shapes: [[Int]]?
        if let data = spec.data {
            shapes = try DataCheck.inputShapes(spec, data: data, inputNames: names.inputs)
        }
        // Shapes and parameter counts only: no weight is allocated (WeightAllocation).
        let model = try WeightAllocation.withoutValues { try ModelBuilder.build(spec, inputShapes: shapes) }
        try CompileBuilder.compile(model, spec: spec, requireLoss: false)
        // Build the callbacks too (their arguments, and their fit with the optimizer); nothing runs.
        _ = try CallbackRegistry.makeAll(spec.fit.callbacks, context: .init(folder: spec.folder) { _, _, _, _ in }, model: model)
        print("\(spec.file): ok — \(model.name), \(model.parameterCount.formatted()) parameters")
    }
}

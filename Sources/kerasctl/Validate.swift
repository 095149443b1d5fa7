import ArgumentParser
import KerasBuilder
import KerasData
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
        let model = try ModelBuilder.build(spec, inputShapes: shapes)
        try CompileBuilder.compile(model, spec: spec, requireLoss: false)
        print("\(spec.file): ok — \(model.name), \(model.parameterCount.formatted()) parameters")
    }
}

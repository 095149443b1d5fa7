import ArgumentParser
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasSpec

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train the model a spec describes.")

    @Argument(help: "The model spec (YAML).") var spec: String
    @Option(name: [.short, .customLong("output")], help: "Write the trained model directory here.") var output: String?
    @Option(help: "Override fit.epochs.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Override fit.batch_size.") var batchSize: Int?
    @Option(help: "Override the spec's seed.") var seed: UInt64?
    @Option(help: "Continue the run saved in this model directory.") var resume: String?
    @Option(name: .customLong("metrics-out"), help: "Write one JSON line per epoch (and the test metrics) here.") var metricsOut: String?
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if let epochs, epochs <= 0 { throw Failure.usage("--epochs must be a positive integer, got \(epochs)") }
        if let batchSize, batchSize <= 0 { throw Failure.usage("--batch-size must be a positive integer, got \(batchSize)") }
    }

    func run() throws {
        let spec = try Spec.load(path: self.spec)
        let seed = self.seed ?? spec.seed ?? 0
        let names = ModelNames(spec)
        let data = try DataLoader.load(spec, inputNames: names.inputs, outputNames: names.outputs, needTrain: true,
                                       needTest: spec.data?.test != nil)
        let model = try ModelBuilder.build(spec, inputShapes: data.inputShapes, seed: seed)
        guard let train = data.train else { throw Failure.data("no training data") }
        try CompileBuilder.compile(model, spec: spec, requireLoss: true, targetShapes: train.targets.map(\.exampleShape))
        try LabelCheck.check(train, model: model)
        if let v = data.validation { try LabelCheck.check(v, model: model) }
        if let t = data.test { try LabelCheck.check(t, model: model) }

        let epochs = self.epochs ?? spec.fit.epochs
        let batchSize = self.batchSize ?? spec.fit.batchSize
        let batches = (train.count + batchSize - 1) / batchSize
        var callbacks: [any Callback] = []
        if !quiet { callbacks.append(ProgressPrinter(epochs: epochs, batches: batches)) }
        let metricsWriter = try metricsOut.map { try MetricsWriter(path: $0) }
        if let metricsWriter { callbacks.append(metricsWriter) }

        let options = FitOptions(epochs: epochs, batchSize: batchSize, shuffle: spec.fit.shuffle, seed: seed)
        try model.fit(data.dataset(train), validation: data.validation.map(data.dataset), options: options, callbacks: callbacks)

        if let test = data.test {
            let start = Date()
            let logs = try model.evaluate(data.dataset(test), batchSize: batchSize)
            if !quiet {
                let steps = (test.count + batchSize - 1) / batchSize
                let secs = Date().timeIntervalSince(start)
                print("Test: \(ProgressPrinter.counter(steps, steps)) - \(ProgressPrinter.seconds(secs)) \(ProgressPrinter.perStep(secs / Double(Swift.max(steps, 1))))\(ProgressPrinter.values(logs))")
            }
            try metricsWriter?.writeTest(logs)
        }
    }
}

/// The model's input and output names as the spec declares them (one unnamed input and
/// output for a sequential model).
struct ModelNames {
    var inputs: [String]
    var outputs: [String]
    init(_ spec: Spec) {
        switch spec.model {
        case let .functional(f):
            inputs = f.inputs.enumerated().map { $0.element.name ?? "input_\($0.offset)" }
            outputs = f.outputs
        default:
            inputs = ["input"]; outputs = ["output"]
        }
    }
}

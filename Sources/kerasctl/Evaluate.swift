import ArgumentParser
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasPlot
import KerasSpec

/// `kerasctl evaluate DIR`: Keras's `model.evaluate` on test data, printed as Keras prints
/// it (`313/313 - 1s 2ms/step - accuracy: 0.8841 - loss: 0.3190`).
///
/// The data: the stored spec's `data.test` by default; `--data SPEC` another spec's
/// `data.test`; `--x FILE --y FILE` features and labels (IDX, or CSV of numbers);
/// `--csv FILE` a CSV file read like the training CSV (same target and feature columns,
/// class names mapped as in training, so an unknown class name is an error). The model's
/// preprocessing (rescale, standardization statistics, reshape) is applied.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a trained model on test data (loss and metrics).")

    @Argument(help: "A model directory (train -o DIR), a Keras .keras/.h5 file, or a Keras model JSON with --weights.") var model: String
    @Option(help: "With a Keras model JSON (model.to_json()) as the model: the weights file model.save_weights() wrote.") var weights: String?
    @Option(help: "Evaluate on this spec's data.test instead of the stored spec's.") var data: String?
    @Option(help: "Features: an IDX file or a CSV file of numbers (with --y).") var x: String?
    @Option(help: "Labels or targets: an IDX file or a CSV file of numbers (with --x).") var y: String?
    @Option(help: "A CSV file with the training data's columns (features and target).") var csv: String?
    @Option(name: .customLong("batch-size"), help: "Examples per batch (Keras's default 32).") var batchSize: Int = 32
    @Option(name: .customLong("metrics-out"), help: "Write the results as one JSON line (test_loss, test_<metric>) here.") var metricsOut: String?
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Flag(name: .customLong("confusion-matrix"), help: "For a classifier: also print the confusion matrix (rows: true class, columns: predicted).") var confusionMatrix = false
    @Option(name: .customLong("class-names"), help: "With --confusion-matrix: the class names, comma-separated, in class-index order.") var classNames: String?
    @Option(name: .shortAndLong, help: "With --confusion-matrix: also draw it to this .png or .svg file.") var output: String?

    func validate() throws {
        if batchSize <= 0 { throw Failure.usage("--batch-size must be a positive integer, got \(batchSize)") }
        if (x == nil) != (y == nil) { throw Failure.usage("--x and --y go together") }
        let sources = [data != nil, x != nil, csv != nil].filter { $0 }.count
        if sources > 1 { throw Failure.usage("give one of --data, --x/--y and --csv") }
        if !confusionMatrix && output != nil { throw Failure.usage("-o draws the confusion matrix; give --confusion-matrix") }
        if !confusionMatrix && classNames != nil { throw Failure.usage("--class-names names the confusion matrix's classes; give --confusion-matrix") }
    }

    func run() throws {
        if let metricsOut { try OutputCheck.file(metricsOut, flag: "--metrics-out file") }
        let picture = try output.map { try PictureOutput.check($0, flag: "-o") }
        let stored = try ModelSource.open(model, weights: weights)
        let net = stored.model
        try BudgetCheck.batch(batchSize, model: net, training: false, source: "--batch-size")
        let names = ModelNames(stored.spec)
        let pre = stored.preprocessing
        let known = names.outputs.map { pre.classNames?[$0] }
        let kind = confusionMatrix ? try classifierKind(stored, names: names) : nil
        let classes = try kind.map { try ConfusionMatrix.classCount($0, outputShape: net.outputShapes.first ?? []) }
        let split = try loadSplit(stored, names: names, known: known)
        let matrixNames = try classes.map { try classLabels(count: $0, known: (split.classNames.first ?? nil) ?? (known.first ?? nil), labelFile: split.targetFiles.first) }
        for (i, a) in split.inputs.enumerated() {
            try pre.validate(exampleSize: a.exampleSize, file: i == 0 ? (x ?? csv ?? "") : "")
        }
        do {
            try CompileBuilder.compile(net, spec: stored.spec, requireLoss: true, targetShapes: split.targets.map(\.exampleShape))
        } catch let e as SpecError where !KerasFile.isKerasFile(model) {
            // A model directory's stored spec is damaged (exit 3); a Keras file's config
            // error is reported as it is (located in the file, exit 2).
            throw PersistenceError.corrupt(path: ModelStore(model).path("spec.yaml"), reason: "the stored spec's compile section does not build: \(e.description)")
        }
        try LabelCheck.check(split, model: net)
        let dataset = Dataset(inputs: split.inputs.map { DataArraySource($0, preprocessing: pre) },
                              targets: split.targets.map { DataArraySource($0) })
        let start = Date()
        let logs = try net.evaluate(dataset, batchSize: batchSize)
        let secs = Date().timeIntervalSince(start)
        if !quiet {
            let steps = (split.count + batchSize - 1) / batchSize
            print("\(ProgressPrinter.counter(steps, steps)) - \(ProgressPrinter.seconds(secs)) \(ProgressPrinter.perStep(secs / Double(Swift.max(steps, 1))))\(ProgressPrinter.values(logs))")
        }
        if let metricsOut { try MetricsWriter(path: metricsOut).writeTest(logs) }
        if let kind, let classes, let matrixNames {
            let counts = try ConfusionMatrix.compute(net, dataset, kind: kind, classes: classes, batchSize: batchSize, labelFile: split.targetFiles.first ?? model)
            let matrix = ConfusionMatrix(counts: counts, names: matrixNames)
            if !quiet { print(matrix.table(), terminator: "") }
            if let output, let picture {
                try PictureOutput.write(try PictureOutput.draw { try ConfusionPlot.render(matrix.counts, names: matrix.names, format: picture) }, to: output)
            }
        }
    }

    /// The one output `--confusion-matrix` reads (ConfusionMatrix.classCount refuses one
    /// that is not a classifier's).
    private func classifierKind(_ stored: ModelStore.Stored, names: ModelNames) throws -> OutputKind {
        guard names.outputs.count == 1 else {
            throw Failure.usage("--confusion-matrix reads a model with one output; this one has \(names.outputs.count) (\(names.outputs.joined(separator: ", ")))")
        }
        return try OutputKind.of(spec: stored.spec, outputs: names.outputs)[0]
    }

    /// The classes' names: --class-names; else the CSV target's string classes; else
    /// Fashion-MNIST's when the labels are Debian's Fashion-MNIST files; else the indices.
    private func classLabels(count: Int, known: [String]?, labelFile: String?) throws -> [String] {
        if let classNames {
            let list = classNames.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard list.count == count else { throw Failure.usage("--class-names gives \(list.count) names, but the model has \(count) classes") }
            return list
        }
        if let known, known.count == count { return known }
        if count == ConfusionMatrix.fashionMNIST.count, let f = labelFile, f.contains("fashion-mnist/"), f.contains("labels-idx1") {
            return ConfusionMatrix.fashionMNIST
        }
        return (0..<count).map(String.init)
    }

    /// The examples to evaluate on, ordered as the model's inputs and outputs.
    private func loadSplit(_ stored: ModelStore.Stored, names: ModelNames, known: [[String]?]) throws -> LoadedSplit {
        if let x, let y {
            guard names.inputs.count == 1, names.outputs.count == 1 else {
                throw Failure.usage("--x and --y feed a model with one input and one output; use --data SPEC for this one")
            }
            let xs = try DataLoader.readFeatures(x), ys = try DataLoader.readFeatures(y, labels: true)
            guard xs.count == ys.count else { throw DataError(file: y, "has \(ys.count) examples, but \(x) has \(xs.count)") }
            return LoadedSplit(inputs: [xs], targets: [ys], targetFiles: [y], classNames: known)
        }
        if let csv {
            guard let source = stored.spec.data?.train ?? stored.spec.data?.test else {
                throw Failure.usage("the stored spec has no training data, so --csv has no columns to follow; give --x and --y")
            }
            do {
                return try DataLoader.loadCSV(file: csv, like: source, inputNames: names.inputs, outputNames: names.outputs, classNames: known,
                                              featureSpace: stored.preprocessing.featureSpace)
            } catch let e as SpecError {
                throw Failure.usage("--csv: \(e.message)")
            }
        }
        let spec = try data.map { try Spec.load(path: $0) } ?? stored.spec
        if data == nil, spec.data?.test == nil, spec.data?.testSplit == nil {
            throw Failure.usage("the stored spec has no data.test; give --data SPEC, --x FILE --y FILE or --csv FILE")
        }
        let loaded = try DataLoader.load(spec, inputNames: names.inputs, outputNames: names.outputs, needTrain: false, needTest: true,
                                         classNames: known, preprocessing: stored.preprocessing, seed: stored.manifest.seed)
        guard let test = loaded.test else { throw Failure.usage("no test data") }
        return test
    }
}

import ArgumentParser
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasSpec

/// `kerasctl predict DIR --input FILE|-`: streams examples in batches through a trained
/// model and prints one line per example (formats: `PredictionFormat`, README "Predicting").
///
/// The input format comes from `--input-format`, else from the name (`.csv`, `.csv.gz` →
/// csv; `.idx`, `*-ubyte`, `*.idxN*` → idx), else from the content (a valid IDX header →
/// idx), and is csv for standard input. A CSV with a header from a model trained on CSV
/// is read by the training feature names, so the training file itself (target column
/// included) can be fed; a CSV without a header is all features.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Predict from a trained model, one line per example.")

    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case csv, idx }
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

    @Argument(help: "A model directory (train -o DIR), a Keras .keras/.h5 file, or a Keras model JSON with --weights.") var model: String
    @Option(help: "With a Keras model JSON (model.to_json()) as the model: the weights file model.save_weights() wrote.") var weights: String?
    @Option(help: "The examples: a CSV or IDX file (plain or gzip), or - for standard input.") var input: String
    @Option(name: .customLong("input-format"), help: "csv or idx (default: from the file name; csv for standard input).") var inputFormat: InputFormat?
    @Option(help: "csv or jsonl.") var output: OutputFormat = .csv
    @Flag(help: "Print every output value (class probabilities) instead of the class.") var probabilities = false
    @Option(name: .customLong("top-k"), help: "Print the N most probable classes with their probabilities.") var topK: Int?
    @Option(name: .customLong("batch-size"), help: "Examples per batch (Keras's default 32).") var batchSize: Int = 32

    func validate() throws {
        if batchSize <= 0 { throw Failure.usage("--batch-size must be a positive integer, got \(batchSize)") }
        if let topK, topK <= 0 { throw Failure.usage("--top-k must be a positive integer, got \(topK)") }
        if probabilities && topK != nil { throw Failure.usage("--probabilities and --top-k exclude each other") }
    }

    func run() throws {
        let stored = try ModelSource.open(model, weights: weights)
        let net = stored.model
        try BudgetCheck.batch(batchSize, model: net, training: false, source: "--batch-size")
        guard net.inputShapes.count == 1 || stored.preprocessing.featureSpace != nil else {
            throw Failure.usage("predict feeds models with one input; this one has \(net.inputShapes.count) (\(net.inputNames.joined(separator: ", ")))")
        }
        let names = ModelNames(stored.spec)
        let kinds: [OutputKind]
        do { kinds = try OutputKind.of(spec: stored.spec, outputs: names.outputs) } catch let e as SpecError where !KerasFile.isKerasFile(model) {
            // A model directory's stored spec is damaged (exit 3); a Keras file's config
            // error is reported as it is (located in the file, exit 2).
            throw PersistenceError.corrupt(path: ModelStore(model).path("spec.yaml"), reason: "the stored spec's loss does not build: \(e.description)")
        }
        if topK != nil, !kinds.contains(where: \.isClassification) {
            throw Failure.usage("--top-k needs a classification model (trained with a crossentropy loss); this one's outputs are values")
        }
        let format = PredictionFormat(style: output == .csv ? .csv : .jsonl,
                                      mode: topK.map { .topK($0) } ?? (probabilities ? .probabilities : .classes),
                                      kinds: kinds, classNames: names.outputs.map { stored.preprocessing.classNames?[$0] },
                                      outputNames: net.outputNames)
        if let space = stored.preprocessing.featureSpace {
            return try predictTable(stored, space: space, format: format)
        }
        let reader = try openInput(stored)
        let inputShape = net.inputShapes[0]
        let expected = inputShape.reduce(1, *)
        var checked = false
        var text = ""
        while let batch = try reader.next(batchSize) {
            if !checked {
                try checkShape(batch, expected: expected, inputShape: inputShape, reader: reader)
                try stored.preprocessing.validate(exampleSize: batch.exampleSize, file: reader.name)
                checked = true
            }
            let source = DataArraySource(batch, preprocessing: stored.preprocessing)
            let rows = Array(0..<batch.count)
            let x = rows.withUnsafeBufferPointer { source.batch($0) }
            text.removeAll(keepingCapacity: true)
            format.write(net.predict([x]), into: &text)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// A model trained through a feature_space: the input is a CSV table with the training
    /// file's columns (the target column may be there or not), read with its `na_values`
    /// and delimiter, encoded by the stored FeatureSpace.
    private func predictTable(_ stored: ModelStore.Stored, space: FeatureSpace, format: PredictionFormat) throws {
        if inputFormat == .idx { throw Failure.usage("this model reads CSV rows (it was trained through a feature_space); drop --input-format idx") }
        var delimiter: Character = ",", naValues: [String] = []
        if case let .csv(c)? = stored.spec.data?.train?.format { delimiter = c.delimiter; naValues = c.naValues }
        let table = try CSVTable(path: input, delimiter: delimiter, naValues: naValues)
        let net = stored.model
        let names = ModelNames(stored.spec)
        var text = ""
        for start in stride(from: 0, to: table.rowCount, by: batchSize) {
            let rows = Array(start..<min(start + batchSize, table.rowCount))
            let arrays = try TableLoader.inputs(space.encode(table, rows: rows), space: space, inputNames: names.inputs)
            let local = Array(0..<rows.count)
            let xs = local.withUnsafeBufferPointer { b in arrays.map { DataArraySource($0).batch(b) } }
            text.removeAll(keepingCapacity: true)
            format.write(net.predict(xs), into: &text)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The first batch's examples must have as many values as the model's input.
    private func checkShape(_ batch: DataArray, expected: Int, inputShape: [Int], reader: BatchInput) throws {
        guard batch.exampleSize != expected else { return }
        let want = "the model expects \(expected) (input shape \(inputShape))"
        if let line = reader.firstLine {
            throw DataError(file: reader.name, line: line, "row has \(batch.exampleSize) feature values, but \(want)")
        }
        throw DataError(file: reader.name, "example 1 has shape \(batch.exampleShape) (\(batch.exampleSize) values), but \(want)")
    }

    private func openInput(_ stored: ModelStore.Stored) throws -> BatchInput {
        let format = inputFormat ?? Self.inferFormat(input)
        switch format {
        case .idx: return .idx(try IDXBatchReader(path: input), name: displayName)
        case .csv:
            var delimiter: Character = ","
            if case let .csv(c)? = stored.spec.data?.train?.format { delimiter = c.delimiter }
            return .csv(try CSVBatchReader(path: input, header: nil, delimiter: delimiter, namedFeatures: stored.preprocessing.featureNames),
                        name: displayName)
        }
    }

    private var displayName: String { input == "-" ? "<stdin>" : input }

    /// The input format from the file's name, else its content; csv for standard input.
    static func inferFormat(_ path: String) -> InputFormat {
        if path == "-" { return .csv }
        var name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name = String(name.dropLast(3)) }
        if name.hasSuffix(".csv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".idx") || name.contains("-ubyte") || name.contains(".idx") || name.range(of: "idx[0-9]", options: .regularExpression) != nil {
            return .idx
        }
        if (try? IDXReader.readHeader(path)) != nil { return .idx }
        // IDX starts with two zero bytes, which no CSV file does: report its IDX error.
        if let h = FileHandle(forReadingAtPath: path), let head = try? h.read(upToCount: 2), head == Data([0, 0]) { return .idx }
        return .csv
    }
}

/// The streaming reader behind `--input`.
enum BatchInput {
    case idx(IDXBatchReader, name: String)
    case csv(CSVBatchReader, name: String)

    var name: String {
        switch self { case let .idx(_, n), let .csv(_, n): n }
    }

    func next(_ n: Int) throws -> DataArray? {
        switch self {
        case let .idx(r, _): try r.next(maxExamples: n)
        case let .csv(r, _): try r.next(maxRows: n)
        }
    }

    /// The file line of the last batch's first row (CSV).
    var firstLine: Int? {
        if case let .csv(r, _) = self { return r.lines.first }
        return nil
    }
}

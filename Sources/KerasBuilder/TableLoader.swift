import KerasData
import KerasEngine
import KerasSpec
import KerasText

/// Loads a CSV table through `data.preprocess.feature_space` (Keras's FeatureSpace): the
/// train file's rows with a target (a row whose target is missing is left out, as a Keras
/// user drops it), `test: {split: f}` held out by a seeded shuffle, `fit.validation_split`
/// taken from the end of the remaining rows, the FeatureSpace adapted on the rows left for
/// training only, and every split encoded with it. A trained model's adapted FeatureSpace
/// (`fixed`) is used as it is.
public enum TableLoader {
    static func load(_ spec: Spec, _ data: DataSpec, _ fsSpec: FeatureSpaceSpec, inputNames: [String], outputNames: [String],
                     needTrain: Bool, needTest: Bool, known: [[String]?]?, fixed: Preprocessing?, seed: UInt64) throws -> LoadedData {
        let path = "data.preprocess.feature_space"
        guard let source = data.train ?? data.test, case let .csv(csv) = source.format else {
            throw fsSpec.node.error("feature_space reads a CSV table: give data.train as {format: csv, path: FILE, target: COLUMN}", path: path)
        }
        let target = try targetName(csv, source: source, outputNames: outputNames)
        let table = try CSVTable(path: csv.path.resolved, delimiter: csv.delimiter, naValues: csv.naValues)
        let targetColumn = try table.column(target, role: "target")
        let config = try fixed?.featureSpace?.config ?? FeatureSpaceBuilder.config(fsSpec)
        if let f = fsSpec.features.first(where: { $0.name == target }) {
            throw f.value.error("'\(target)' is the target column, so it cannot also be a feature")
        }
        for f in config.features { _ = try table.column(f.name) }

        let labeled = table.rowsWithValue(in: targetColumn)
        var trainRows = labeled, testRows: [Int] = [], validationRows: [Int] = []
        if let f = data.testSplit { (trainRows, testRows) = try TestSplit.split(labeled, fraction: f, seed: seed) }
        if let f = spec.fit.validationSplit {
            let cut = try DataArray.validationSplitIndex(count: trainRows.count, fraction: f)
            validationRows = Array(trainRows[cut...])
            trainRows = Array(trainRows[..<cut])
        } else if let v = spec.fit.validation {
            throw v.error("with a feature_space, hold out validation rows with fit.validation_split")
        }
        if trainRows.isEmpty && fixed == nil { throw DataError(file: table.file, "no training rows with a target value") }
        let classes = try (known?.first ?? nil) ?? table.target(targetColumn, rows: labeled, known: nil).classNames
        let space = try fixed?.featureSpace ?? FeatureSpace.adapt(config, table: table, rows: trainRows)
        try checkInputShape(spec, space: space)
        do { _ = try inputs([], space: space, inputNames: inputNames, widths: true) } catch let e as DataError {
            throw fsSpec.node.error(e.message, path: path)
        }
        let width = space.outputs.reduce(0) { $0 + $1.width }
        let bytes = ShapeArithmetic.product(ShapeArithmetic.product(width, labeled.count) ?? Int.max, 4)
        if bytes.map({ $0 > MemoryBudget.bytes }) ?? true {
            throw fsSpec.node.error("the feature_space encodes each row as \(width) values, so the \(labeled.count) rows need more than \(MemoryBudget.describeLimit); lower crossing_dim, hashing_dim, num_bins or max_tokens", path: path)
        }

        func split(_ t: CSVTable, _ rows: [Int]) throws -> LoadedSplit {
            let x = try inputs(space.encode(t, rows: rows), space: space, inputNames: inputNames)
            let y = try t.target(try t.column(target, role: "target"), rows: rows, known: classes)
            return LoadedSplit(inputs: x, targets: [y.values], targetFiles: [t.file], classNames: [classes])
        }
        var loaded = LoadedData(train: nil, validation: nil, test: nil, preprocessing: Preprocessing(), inputShapes: [])
        if needTrain {
            loaded.train = try split(table, trainRows)
            if !validationRows.isEmpty { loaded.validation = try split(table, validationRows) }
        }
        if needTest {
            if let testSource = data.test, case let .csv(t) = testSource.format {
                let testTable = try CSVTable(path: t.path.resolved, delimiter: t.delimiter, naValues: t.naValues)
                loaded.test = try split(testTable, testTable.rowsWithValue(in: try testTable.column(target, role: "target")))
            } else if !testRows.isEmpty {
                loaded.test = try split(table, testRows)
            } else if data.test != nil {
                throw data.node.error("with a feature_space, data.test is a CSV source with the train file's columns, or {split: 0.2}", path: "data.test")
            }
        }
        var pre = fixed ?? Preprocessing()
        pre.featureSpace = space
        if let classes { pre.classNames = [outputNames.first ?? "output": classes] }
        loaded.preprocessing = pre
        loaded.inputShapes = try inputs([], space: space, inputNames: inputNames, widths: true).map(\.exampleShape)
        return loaded
    }

    /// Encoded outputs ordered as the model's inputs: `concat` feeds the one input; `dict`
    /// feeds each input the feature (or cross) of its name, and every one must be used.
    /// With `widths`, empty arrays of each output's width stand for `encoded`.
    public static func inputs(_ encoded: [DataArray], space: FeatureSpace, inputNames: [String], widths: Bool = false) throws -> [DataArray] {
        let outputs = space.outputs
        let arrays = widths ? try outputs.map { try DataArray(shape: [0, $0.width], floats: []) } : encoded
        if space.config.outputMode == .concat {
            guard inputNames.count == 1 else {
                throw DataError(file: "", "the feature_space concatenates its features into one vector, but the model has \(inputNames.count) inputs (\(inputNames.joined(separator: ", "))); use feature_space output_mode: dict")
            }
            return arrays
        }
        let names = outputs.map(\.name)
        for n in inputNames where !names.contains(n) {
            throw DataError(file: "", unknownName("model input '\(n)' is not a feature of the feature_space", n, among: names,
                                                  otherwise: " (its outputs: \(names.joined(separator: ", ")))"))
        }
        for n in names where !inputNames.contains(n) {
            throw DataError(file: "", "feature_space output '\(n)' has no model input of that name (model inputs: \(inputNames.joined(separator: ", "))); with output_mode: dict each feature and cross is an input named after it")
        }
        return inputNames.compactMap { n in names.firstIndex(of: n).map { arrays[$0] } }
    }

    /// The single target column's name (a feature_space table is read by header names).
    private static func targetName(_ csv: CSVSource, source: SourceSpec, outputNames: [String]) throws -> String {
        if !csv.header { throw source.error("feature_space reads columns by their header names: set header: true") }
        if csv.features != nil {
            throw source.error("with a feature_space, its features are the columns used; remove 'features'", at: csv.featuresNode)
        }
        guard outputNames.count == 1 else {
            throw source.error("feature_space tables train models with one output; this one has \(outputNames.count)", at: csv.targetNode)
        }
        switch csv.target {
        case let .single(.name(n))?: return n
        case nil: throw source.error("no target: add 'target' (a column name)")
        default: throw source.error("with a feature_space, target is one column name", at: csv.targetNode)
        }
    }

    /// A sequential model's written `input_shape` must be the feature space's width.
    private static func checkInputShape(_ spec: Spec, space: FeatureSpace) throws {
        guard case let .sequential(s) = spec.model, let written = s.inputShape, space.config.outputMode == .concat,
              let width = space.outputs.first?.width, written != [width] else { return }
        let node = s.inputShapeNode ?? spec.modelNode
        throw node.error("input_shape \(written) disagrees with the feature_space, which encodes each row as \(width) values (leave input_shape out: it follows from the data)", path: "model.input_shape")
    }

    /// A file read with the training source's settings and the trained FeatureSpace
    /// (`evaluate --csv FILE`).
    static func loadFile(_ file: String, like csv: CSVSource, source: SourceSpec, space: FeatureSpace, inputNames: [String],
                         outputNames: [String], classNames: [[String]?]) throws -> LoadedSplit {
        let target = try targetName(csv, source: source, outputNames: outputNames)
        let table = try CSVTable(path: file, delimiter: csv.delimiter, naValues: csv.naValues)
        let column = try table.column(target, role: "target")
        let rows = table.rowsWithValue(in: column)
        let classes = classNames.first ?? nil
        let x = try inputs(space.encode(table, rows: rows), space: space, inputNames: inputNames)
        let y = try table.target(column, rows: rows, known: classes)
        return LoadedSplit(inputs: x, targets: [y.values], targetFiles: [table.file], classNames: [classes])
    }
}

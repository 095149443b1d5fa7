import KerasData
import KerasEngine
import KerasSpec
import KerasText

/// One split's arrays, matched to the model's inputs and outputs by position.
public struct LoadedSplit {
    public var inputs: [DataArray]
    public var targets: [DataArray]
    /// The file each target came from (for label errors).
    public var targetFiles: [String]
    /// Class names per output position, for targets read from a string CSV column.
    public var classNames: [[String]?]
    /// The feature columns' header names, for a CSV source with a header.
    public var featureNames: [String]? = nil
    public var count: Int { inputs.first?.count ?? 0 }

    public init(inputs: [DataArray], targets: [DataArray], targetFiles: [String], classNames: [[String]?], featureNames: [String]? = nil) {
        self.inputs = inputs; self.targets = targets; self.targetFiles = targetFiles
        self.classNames = classNames; self.featureNames = featureNames
    }
}

/// Everything `train`/`evaluate` need from `data` and `fit.validation*`.
public struct LoadedData {
    public var train: LoadedSplit?
    public var validation: LoadedSplit?
    public var test: LoadedSplit?
    public var preprocessing: Preprocessing
    /// Per-example shapes the model sees (after `reshape`), per input.
    public var inputShapes: [[Int]]

    /// The split as engine examples, preprocessed per batch.
    public func dataset(_ split: LoadedSplit) -> Dataset {
        Dataset(inputs: split.inputs.map { DataArraySource($0, preprocessing: preprocessing) },
                targets: split.targets.map { DataArraySource($0) })
    }
}

/// Loads the data a spec names (IDX or CSV), applies `validation_split`, and fits the
/// preprocessing state (`standardize` statistics come from the training split only).
public enum DataLoader {
    /// - Parameters:
    ///   - inputNames/outputNames: the model's, for data given as maps by name.
    ///   - classNames: known class names per output (from a trained model), so new data maps the same way.
    ///   - seed: the run's seed, which draws a feature_space table's `test: {split: f}` rows.
    public static func load(_ spec: Spec, inputNames: [String], outputNames: [String], needTrain: Bool, needTest: Bool,
                            classNames known: [[String]?]? = nil, preprocessing fixed: Preprocessing? = nil,
                            seed: UInt64? = nil) throws -> LoadedData {
        guard let data = spec.data else {
            throw spec.root.error("this command needs a 'data' section with the training or test data", path: "data")
        }
        if let fs = data.preprocess.featureSpace {
            return try TableLoader.load(spec, data, fs, inputNames: inputNames, outputNames: outputNames, needTrain: needTrain,
                                        needTest: needTest, known: known, fixed: fixed, seed: seed ?? spec.seed ?? 0)
        }
        if data.testSplit != nil {
            throw data.node.error("test: {split: f} holds out rows of a feature_space table; give data.test as a source here", path: "data.test")
        }
        if needTrain && data.train == nil { throw data.node.error("missing 'train' data", path: "data") }
        if needTest && data.test == nil { throw data.node.error("missing 'test' data", path: "data") }
        var train: LoadedSplit?, validation: LoadedSplit?, test: LoadedSplit?
        var classes = known ?? Array(repeating: nil, count: outputNames.count)
        if needTrain, let t = data.train {
            train = try loadSplit(t, inputNames: inputNames, outputNames: outputNames, classNames: classes)
            classes = train!.classNames
            if let f = spec.fit.validationSplit {
                let cut = try DataArray.validationSplitIndex(count: train!.count, fraction: f)
                validation = rows(train!, cut..<train!.count)
                train = rows(train!, 0..<cut)
            } else if let v = spec.fit.validation {
                validation = try loadSplit(v, inputNames: inputNames, outputNames: outputNames, classNames: classes)
            }
        }
        if needTest, let t = data.test {
            test = try loadSplit(t, inputNames: inputNames, outputNames: outputNames, classNames: classes)
        }
        let reference = train ?? test ?? validation
        guard let reference else { throw data.node.error("no data to load", path: "data") }
        var pre: Preprocessing
        if let fixed {
            pre = fixed
        } else {
            pre = Preprocessing()
            let p = data.preprocess
            pre.rescale = p.rescale.map(Float.init)
            pre.reshape = p.reshape
            if p.standardize {
                guard reference.inputs.count == 1 else {
                    throw (p.node ?? data.node).error("standardize supports models with one input", path: "data.preprocess")
                }
                pre.standardize(with: try Standardizer.fit(reference.inputs[0], rescale: pre.rescale))
            }
            var names: [String: [String]] = [:]
            for (i, c) in classes.enumerated() { if let c { names[outputNames.indices.contains(i) ? outputNames[i] : "output"] = c } }
            pre.classNames = names.isEmpty ? nil : names
            pre.featureNames = reference.featureNames
        }
        if pre.reshape != nil && reference.inputs.count != 1 {
            throw (data.preprocess.node ?? data.node).error("reshape supports models with one input", path: "data.preprocess")
        }
        for x in reference.inputs {
            do { try pre.validate(exampleSize: x.exampleSize) } catch let e as DataError {
                throw (data.preprocess.node ?? data.node).error(e.message, path: "data.preprocess")
            }
        }
        let shapes = reference.inputs.map { pre.reshape ?? $0.exampleShape }
        return LoadedData(train: train, validation: validation, test: test, preprocessing: pre, inputShapes: shapes)
    }

    /// The first `cut` rows of a split (Keras keeps the last fraction for validation).
    private static func rows(_ s: LoadedSplit, _ range: Range<Int>) -> LoadedSplit {
        var out = s
        out.inputs = s.inputs.map { $0.rows(range) }
        out.targets = s.targets.map { $0.rows(range) }
        return out
    }

    /// Reads one source (examples and their targets: every split trains or evaluates) and
    /// orders its arrays as the model's inputs and outputs.
    static func loadSplit(_ source: SourceSpec, inputNames: [String], outputNames: [String], classNames: [[String]?]) throws -> LoadedSplit {
        switch source.format {
        case let .idx(idx):
            let xs = try byModelName(idx.x, names: inputNames, what: "input", source: source)
            let inputs = try xs.map { p in try readFeatures(p.resolved) }
            var targets: [DataArray] = [], files: [String] = []
            if let y = idx.y {
                for p in try byModelName(y, names: outputNames, what: "output", source: source) {
                    targets.append(try readFeatures(p.resolved, labels: true)); files.append(p.original)
                }
            }
            if targets.isEmpty { throw source.error("no targets: add 'y' (a labels file, or a map from output name to file)") }
            try checkCounts(inputs + targets, source: source)
            let names: [[String]?] = targets.indices.map { classNames.indices.contains($0) ? classNames[$0] : nil }
            return LoadedSplit(inputs: inputs, targets: targets, targetFiles: files, classNames: names)
        case let .csv(csv):
            return try loadCSV(csv, file: csv.path.resolved, shown: csv.path.original, source: source, inputNames: inputNames, outputNames: outputNames, classNames: classNames)
        }
    }

    /// Reads a CSV file with the settings of a spec's CSV source (`evaluate --csv FILE`
    /// reads a new file the way the model's training data was read): the same target and
    /// feature columns, header and delimiter, and the known class names, so an unknown
    /// class name is an error.
    public static func loadCSV(file: String, like source: SourceSpec, inputNames: [String], outputNames: [String],
                               classNames: [[String]?], featureSpace: FeatureSpace? = nil) throws -> LoadedSplit {
        guard case let .csv(csv) = source.format else {
            throw source.error("the model was not trained on CSV data, so --csv has no target columns to use; give --x and --y")
        }
        if let featureSpace {
            return try TableLoader.loadFile(file, like: csv, source: source, space: featureSpace, inputNames: inputNames,
                                            outputNames: outputNames, classNames: classNames)
        }
        return try loadCSV(csv, file: file, shown: file, source: source,
                           inputNames: inputNames, outputNames: outputNames, classNames: classNames)
    }

    private static func loadCSV(_ csv: CSVSource, file: String, shown: String, source: SourceSpec, inputNames: [String], outputNames: [String],
                            classNames: [[String]?]) throws -> LoadedSplit {
        guard inputNames.count == 1 else {
            throw source.error("a CSV source feeds one input; this model has \(inputNames.count) (map inputs to files with format: idx and x: {name: file})")
        }
        let groups = try targetGroups(csv, outputNames: outputNames, source: source)
        if groups.isEmpty { throw source.error("no targets: add 'target' (a column, or a map from output name to column)") }
        let allTargets = groups.flatMap { $0 }.map(column)
        var known: [String: [String]] = [:]
        for (i, g) in groups.enumerated() where g.count == 1 {
            if classNames.indices.contains(i), let c = classNames[i] { known[columnKey(g[0])] = c }
        }
        let ds = try CSVReader.read(file, options: CSVOptions(header: csv.header, delimiter: csv.delimiter, target: allTargets,
                                                             features: csv.features.map { $0.map(column) }, classNames: known))
        var targets: [DataArray] = [], names: [[String]?] = []
        var k = 0
        for g in groups {
            let parts = ds.targets[k..<(k + g.count)]
            k += g.count
            if parts.count == 1, let only = parts.first {
                targets.append(only.values); names.append(only.classNames)
            } else {
                targets.append(try stack(Array(parts.map(\.values)))); names.append(nil)
            }
        }
        return LoadedSplit(inputs: [ds.x], targets: targets, targetFiles: targets.map { _ in shown }, classNames: names,
                           featureNames: ds.columnNames == nil ? nil : ds.featureNames)
    }

    /// The CSV target columns of each output, in the model's output order. A model with
    /// several outputs needs `target: {output: column(s), ...}` naming every output.
    private static func targetGroups(_ csv: CSVSource, outputNames: [String], source: SourceSpec) throws -> [[ColumnRef]] {
        let outputs = outputNames.joined(separator: ", ")
        switch csv.target {
        case nil: return []
        case let .single(c)?:
            guard outputNames.count <= 1 else {
                throw source.error("the model has \(outputNames.count) outputs (\(outputs)); give target as a map from output name to column(s)", at: csv.targetNode)
            }
            return [[c]]
        case let .list(cs)?:
            guard outputNames.count <= 1 else {
                throw source.error("the model has \(outputNames.count) outputs (\(outputs)); give target as a map from output name to column(s), not a list", at: csv.targetNode)
            }
            return [cs]
        case let .byOutput(named)?:
            if let extra = named.first(where: { !outputNames.contains($0.name) }) {
                throw source.error(unknownName("target names '\(extra.name)', which is not an output of the model", extra.name,
                                               among: outputNames, otherwise: " (outputs: \(outputs))"), at: extra.node)
            }
            return try outputNames.map { name in
                guard let g = named.first(where: { $0.name == name }) else {
                    throw source.error("target has no column for output '\(name)' (outputs: \(outputs))", at: csv.targetNode)
                }
                return g.value
            }
        }
    }

    private static func column(_ c: ColumnRef) -> CSVColumn {
        switch c { case let .name(n): .name(n); case let .index(i): .index(i) }
    }
    private static func columnKey(_ c: ColumnRef) -> String {
        switch c { case let .name(n): n; case let .index(i): String(i) }
    }

    /// Several numeric target columns as one (rows, k) array.
    private static func stack(_ cols: [DataArray]) throws -> DataArray {
        let n = cols.first?.count ?? 0
        var floats = [Float](repeating: 0, count: n * cols.count)
        for (j, c) in cols.enumerated() { for i in 0..<n { floats[i * cols.count + j] = c.float(at: i) } }
        return try DataArray(shape: [n, cols.count], floats: floats)
    }

    /// IDX by default; a `.csv`/`.csv.gz` file as a table of numeric features.
    public static func readFeatures(_ path: String, labels: Bool = false) throws -> DataArray {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") { return try CSVReader.readFeatures(path) }
        return try IDXReader.read(path)
    }

    /// The files of `p` (the `x` or `y` map) in the model's input or output order.
    private static func byModelName(_ p: PathOrMap, names: [String], what: String, source: SourceSpec) throws -> [DataPath] {
        let key = what == "input" ? "x" : "y"
        switch p {
        case let .single(path):
            guard names.count == 1 else {
                throw source.error("the model has \(names.count) \(what)s (\(names.joined(separator: ", "))); give a map from \(what) name to file", at: path.node)
            }
            return [path]
        case let .byName(named):
            if let extra = named.first(where: { !names.contains($0.name) }) {
                throw source.error(unknownName("'\(extra.name)' is not an \(what) of the model", extra.name, among: names,
                                               otherwise: " (\(what)s: \(names.joined(separator: ", ")))"), at: extra.node)
            }
            return try names.map { n in
                guard let f = named.first(where: { $0.name == n }) else {
                    throw source.error("no file for \(what) '\(n)' (\(what)s: \(names.joined(separator: ", ")))", at: source.node[key])
                }
                return f.value
            }
        }
    }

    private static func checkCounts(_ arrays: [DataArray], source: SourceSpec) throws {
        guard let n = arrays.first?.count else { return }
        if let bad = arrays.first(where: { $0.count != n }) {
            throw source.error("the files of this source disagree on the number of examples: \(n) and \(bad.count)")
        }
    }
}

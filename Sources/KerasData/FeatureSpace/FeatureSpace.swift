/// What one feature learned from the training rows.
public struct FeatureState: Codable, Equatable, Sendable {
    /// The value a missing cell takes (numeric features with a `fill`).
    public var fill: Double?
    /// `float_normalized`: Keras `Normalization`'s adapted mean and variance.
    public var mean: Double?
    public var variance: Double?
    /// `float_discretized`: the bin boundaries (adapted, or as given).
    public var boundaries: [Float]?
    /// `*_categorical`: the lookup's vocabulary.
    public var vocabulary: Vocabulary?
    /// `text`: the TextVectorization vocabulary and weights.
    public var text: TextState?

    public init() {}
}

/// Keras's `keras.utils.FeatureSpace` on a CSV table: adapted on the training rows
/// (``adapt(_:table:rows:)``), then it encodes any rows of a table with the same columns
/// (``encode(_:rows:)``) — training, test, or raw rows given to `predict`. Codable: the
/// adapted state is kept in the model directory.
///
/// As Keras: each feature is preprocessed (lookup index, hash bin, bin index, rescaled or
/// normalized value), crosses hash the preprocessed features of their features
/// (`HashedCrossing`), `one_hot` outputs become `CategoryEncoding` vectors, and the outputs
/// come in Keras's order — feature names sorted, then cross names sorted — concatenated
/// into one vector (`concat`) or one array per name (`dict`). Adaptation reads the training
/// rows in batches of 32, as `FeatureSpace.adapt` batches an unbatched dataset, so
/// Normalization statistics and Discretization boundaries are Keras's on the same rows.
///
/// Missing cells (the table's `na_values`): categorical features send them to OOV index 0
/// and leave them out of the vocabulary; hashed features hash the empty string; numeric
/// features take their `fill` (computed on the training rows before adaptation), else a
/// missing cell is an error naming file, line and column.
public struct FeatureSpace: Codable, Equatable, Sendable {
    public let config: FeatureSpaceConfig
    public let states: [String: FeatureState]

    /// The batch size `FeatureSpace.adapt` gives an unbatched dataset.
    public static let adaptBatchSize = 32

    /// One encoded output: its name (a feature, a cross `a_X_b`, or `features` for
    /// `concat`) and its width.
    public struct Output: Equatable, Sendable {
        public let name: String
        public let width: Int
    }

    public init(config: FeatureSpaceConfig, states: [String: FeatureState]) {
        self.config = config
        self.states = states
    }

    // MARK: Adapting

    /// Adapts every feature on `rows` of `table`.
    public static func adapt(_ config: FeatureSpaceConfig, table: CSVTable, rows: [Int]) throws -> FeatureSpace {
        var states: [String: FeatureState] = [:]
        for f in config.features {
            let c = try table.column(f.name)
            var s = FeatureState()
            let present = rows.filter { table.cell($0, c) != nil }
            if present.isEmpty, !{ if case .text = f.type { true } else { false } }() {
                throw table.columnError(c, "every value is missing in the \(rows.count) training rows, so '\(f.name)' cannot be adapted; drop the feature or fix the column")
            }
            switch f.type {
            case .float, .floatRescaled, .floatNormalized, .floatDiscretized:
                let numbers = try present.map { try table.number($0, c) ?? 0 }
                s.fill = try resolveFill(f, numbers: numbers)
                if s.fill == nil, let r = rows.first(where: { table.cell($0, c) == nil }) {
                    throw missingValue(table, r, c)
                }
                let values = try rows.map { r in Float(try table.number(r, c) ?? s.fill ?? 0) }
                if case .floatNormalized = f.type {
                    var m = RunningMoments()
                    for b in batches(values) { m.update(b) }
                    s.mean = m.mean; s.variance = m.variance
                }
                if case let .floatDiscretized(numBins, given, _) = f.type {
                    if let given {
                        s.boundaries = given.map(Float.init)
                    } else {
                        var q = QuantileSummary()
                        for b in batches(values) { q.update(b) }
                        s.boundaries = q.boundaries(numBins: numBins)
                    }
                }
            case let .integerCategorical(maxTokens, oov, _), let .stringCategorical(maxTokens, oov, _):
                let integer = { if case .integerCategorical = f.type { true } else { false } }()
                var counts: [String: Int] = [:]
                for r in present { counts[try token(table, r, c, integer: integer) ?? "", default: 0] += 1 }
                s.vocabulary = Vocabulary.adapt(counts: counts, isInteger: integer, maxTokens: maxTokens, numOOVIndices: oov)
            case .integerHashed:
                for r in present { _ = try table.integer(r, c) }
            case .stringHashed:
                break
            case let .text(o):
                s.text = TextVectorizer.adapt(rows.map { table.rawCell($0, c) ?? "" }, o)
            }
            states[f.name] = s
        }
        return FeatureSpace(config: config, states: states)
    }

    static func missingValue(_ table: CSVTable, _ r: Int, _ c: Int) -> DataError {
        table.cellError(r, c, "missing value; give the feature a fill (mean, median, zero or a number) or drop the row")
    }

    private static func batches(_ values: [Float]) -> [[Float]] {
        stride(from: 0, to: values.count, by: adaptBatchSize).map { Array(values[$0..<min($0 + adaptBatchSize, values.count)]) }
    }

    private static func resolveFill(_ f: FeatureConfig, numbers: [Double]) throws -> Double? {
        switch f.fill {
        case nil: return nil
        case .zero?: return 0
        case let .value(v)?: return v
        case .mean?: return numbers.reduce(0, +) / Double(numbers.count)
        case .median?:
            let s = numbers.sorted(), n = s.count
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
        }
    }

    /// A categorical cell as its vocabulary token (integers in canonical decimal); nil when missing.
    private static func token(_ table: CSVTable, _ r: Int, _ c: Int, integer: Bool) throws -> String? {
        if integer { return try table.integer(r, c).map { String($0) } }
        return table.cell(r, c).map(String.init)
    }

    // MARK: Encoding

    /// Feature names then cross names, each sorted as Python sorts strings (by code point).
    public var outputNames: [String] {
        func sorted(_ names: [String]) -> [String] { names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } } }
        return sorted(config.features.map(\.name)) + sorted(config.crosses.map(\.name))
    }

    /// The encoded outputs: one `features` vector (`concat`) or one per feature and cross (`dict`).
    public var outputs: [Output] {
        let parts = outputNames.map { Output(name: $0, width: width(of: $0)) }
        if config.outputMode == .dict { return parts }
        return [Output(name: "features", width: parts.reduce(0) { $0 + $1.width })]
    }

    /// The width of one output (a feature or cross name) before concatenation.
    public func width(of name: String) -> Int {
        if let cross = config.crosses.first(where: { $0.name == name }) {
            return cross.outputMode == .oneHot ? cross.crossingDim : 1
        }
        guard let f = config.features.first(where: { $0.name == name }) else { return 0 }
        let s = states[name] ?? FeatureState()
        switch f.type {
        case .float, .floatRescaled, .floatNormalized: return 1
        case let .floatDiscretized(_, _, mode): return mode == .oneHot ? (s.boundaries?.count ?? 0) + 1 : 1
        case let .integerCategorical(_, _, mode), let .stringCategorical(_, _, mode):
            return mode == .oneHot ? s.vocabulary?.size ?? 0 : 1
        case let .integerHashed(bins, mode), let .stringHashed(bins, mode): return mode == .oneHot ? bins : 1
        case let .text(o): return TextVectorizer.width(o, s.text ?? TextState(tokens: []))
        }
    }

    /// Encodes `rows` of `table` (which must have the features' columns) into one array
    /// per ``outputs`` entry, shape `[rows, width]`.
    public func encode(_ table: CSVTable, rows: [Int]) throws -> [DataArray] {
        let names = outputNames
        let widths = names.map(width(of:))
        let total = widths.reduce(0, +)
        let (size, overflow) = rows.count.multipliedReportingOverflow(by: total)
        if overflow || size > Int(Int32.max) {
            throw DataError(file: table.file, "the feature space encodes each row as \(total) values: \(rows.count) rows are too many values for one array")
        }
        let columns = try config.features.map { try table.column($0.name) }
        var textIndex: [String: [String: Int]] = [:]
        for f in config.features { if let t = states[f.name]?.text { textIndex[f.name] = TextVectorizer.index(t) } }
        var out = [Float](repeating: 0, count: rows.count * total)
        for (k, r) in rows.enumerated() {
            var pre: [String: (value: Float, index: Int?)] = [:]
            var texts: [String: [Float]] = [:]
            for (f, c) in zip(config.features, columns) {
                if case let .text(o) = f.type {
                    texts[f.name] = TextVectorizer.encode(table.rawCell(r, c) ?? "", o, states[f.name]?.text ?? TextState(tokens: []),
                                                          index: textIndex[f.name] ?? [:])
                } else {
                    pre[f.name] = try preprocess(f, table, r, c)
                }
            }
            var offset = k * total
            for (name, w) in zip(names, widths) {
                if let vector = texts[name] {
                    for (j, v) in vector.prefix(w).enumerated() { out[offset + j] = v }
                    offset += w
                    continue
                }
                var value: Float = 0, index: Int?, oneHot = false
                if let cross = config.crosses.first(where: { $0.name == name }) {
                    let i = hashedCross(cross.features.map { Int64(pre[$0]?.index ?? 0) }, numBins: cross.crossingDim)
                    (value, index, oneHot) = (Float(i), i, cross.outputMode == .oneHot)
                } else if let p = pre[name] {
                    (value, index) = p
                    oneHot = isOneHot(name)
                }
                if oneHot, let index {
                    if index >= 0 && index < w { out[offset + index] = 1 }
                } else {
                    out[offset] = value
                }
                offset += w
            }
        }
        let all = try DataArray(shape: [rows.count, total], floats: out)
        guard config.outputMode == .dict else { return [all] }
        var parts: [DataArray] = []
        var start = 0
        for w in widths {
            var slice = [Float](repeating: 0, count: rows.count * w)
            for k in 0..<rows.count { for j in 0..<w { slice[k * w + j] = out[k * total + start + j] } }
            parts.append(try DataArray(shape: [rows.count, w], floats: slice))
            start += w
        }
        return parts
    }

    /// Whether an output (a feature or cross name) is one-hot encoded (`CategoryEncoding`).
    public func isOneHot(_ name: String) -> Bool {
        if let cross = config.crosses.first(where: { $0.name == name }) { return cross.outputMode == .oneHot }
        return switch config.features.first(where: { $0.name == name })?.type {
        case let .floatDiscretized(_, _, m)?, let .integerCategorical(_, _, m)?, let .stringCategorical(_, _, m)?,
             let .integerHashed(_, m)?, let .stringHashed(_, m)?: m == .oneHot
        default: false
        }
    }

    /// One cell preprocessed: the float value, and the integer index of a categorical feature.
    private func preprocess(_ f: FeatureConfig, _ table: CSVTable, _ r: Int, _ c: Int) throws -> (value: Float, index: Int?) {
        let s = states[f.name] ?? FeatureState()
        func number() throws -> Float {
            if let v = try table.number(r, c) { return Float(v) }
            if let fill = s.fill { return Float(fill) }
            throw FeatureSpace.missingValue(table, r, c)
        }
        func categorical(_ i: Int) -> (Float, Int?) { (Float(i), i) }
        switch f.type {
        case .float: return (try number(), nil)
        case let .floatRescaled(scale, offset): return (try number() * Float(scale) + Float(offset), nil)
        case .floatNormalized:
            let mean = Float(s.mean ?? 0), std = max(Float(s.variance ?? 1).squareRoot(), Standardizer.epsilon)
            return ((try number() - mean) / std, nil)
        case .floatDiscretized:
            return categorical(QuantileSummary.bin(try number(), boundaries: s.boundaries ?? []))
        case .integerCategorical, .stringCategorical:
            let integer = { if case .integerCategorical = f.type { true } else { false } }()
            guard let vocab = s.vocabulary else { return categorical(0) }
            guard let token = try FeatureSpace.token(table, r, c, integer: integer) else {
                if vocab.numOOVIndices == 0 { throw table.cellError(r, c, "missing value, and '\(f.name)' has num_oov_indices: 0") }
                return categorical(0)
            }
            guard let i = vocab.lookup(token) else {
                throw table.cellError(r, c, "'\(token)' is not in the vocabulary of '\(f.name)', which has num_oov_indices: 0")
            }
            return categorical(i)
        case let .integerHashed(bins, _):
            let text = try table.integer(r, c).map { String($0) } ?? ""
            return categorical(Int(fingerprint64(text) % UInt64(bins)))
        case let .stringHashed(bins, _):
            return categorical(Int(fingerprint64(table.cell(r, c) ?? "") % UInt64(bins)))
        case .text:
            return (0, nil)
        }
    }
}

/// Streams the feature rows of a CSV file (plain, gzip, or `-` for standard input) in
/// batches, for predicting files larger than memory. There is no target: every column, or
/// the listed ones, is a feature. Cells are checked as in ``CSVReader``.
///
/// ```swift
/// let reader = try CSVBatchReader(path: "-", header: nil)
/// while let batch = try reader.next(maxRows: 256) { ... }   // shape [rows, features]
/// ```
public final class CSVBatchReader {
    /// The header, once read (after the first call to ``next(maxRows:)``), if there is one.
    public private(set) var columnNames: [String]?
    /// The 1-based file lines of the rows in the last batch.
    public private(set) var lines: [Int] = []
    private let source: ByteSource
    private let header: Bool?
    private let features: [CSVColumn]?
    private let namedFeatures: [String]?
    private var tokenizer: CSVTokenizer
    private var pending: [CSVRecord] = []
    private var pendingStart = 0
    private var blanks: [CSVRecord] = []
    private var layout: CSVLayout?
    private var featureColumns: [Int] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var atEnd = false
    private var rowsRead = 0

    /// Opens `path`; `header` nil detects a header row; `features` selects columns.
    /// `namedFeatures` (e.g. the columns a model was trained on) selects columns by name
    /// when the file turns out to have a header, so a file with extra columns (the
    /// training file itself, target included) can be read; without a header every column
    /// (or `features`) is used.
    public init(path: String, header: Bool? = nil, delimiter: Character = ",", features: [CSVColumn]? = nil,
                namedFeatures: [String]? = nil) throws {
        self.namedFeatures = namedFeatures
        let options = CSVOptions(header: header, delimiter: delimiter, features: features)
        let delimiterByte = try options.delimiterByte(file: ByteSource.displayName(path))
        source = try ByteSource(path: path)
        tokenizer = CSVTokenizer(file: source.name, delimiter: delimiterByte)
        self.header = header
        self.features = features
    }

    /// The next batch of at most `maxRows` rows as shape `[rows, features]`, or nil at the end.
    public func next(maxRows: Int) throws -> DataArray? {
        let want = max(maxRows, 1)
        while available <= want && !atEnd { try fill() }   // one extra row: trailing blanks
        if layout == nil { try start() }
        guard let layout else { return nil }
        var values: [Float] = []
        // Reserve for the rows at hand, not for `maxRows` (a flag's value, possibly huge).
        values.reserveCapacity(min(want, available) * featureColumns.count)
        lines.removeAll(keepingCapacity: true)
        while lines.count < want, pendingStart < pending.count {
            let record = pending[pendingStart]
            pendingStart += 1
            try layout.checkWidth(record)
            for c in featureColumns { values.append(try layout.number(record.fields[c], line: record.line, column: c)) }
            lines.append(record.line)
        }
        compact()
        if lines.isEmpty {
            if rowsRead == 0 { throw DataError(file: source.name, layout.names == nil ? "empty file, expected CSV data" : "no data rows after the header") }
            return nil
        }
        rowsRead += lines.count
        return try DataArray(shape: [lines.count, featureColumns.count], floats: values)
    }

    private var available: Int { pending.count - pendingStart }

    /// Reads one chunk; blank records are held back until a non-blank one follows them,
    /// so trailing blank lines are dropped and inner ones still reach ``CSVLayout/checkWidth(_:)``.
    private func fill() throws {
        let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
        let take: (CSVRecord) -> Void = { [unowned self] record in
            if record.isBlank { blanks.append(record); return }
            pending.append(contentsOf: blanks)
            blanks.removeAll()
            pending.append(record)
        }
        if n == 0 {
            atEnd = true
            try tokenizer.finish(take)
            return
        }
        try chunk.withUnsafeBytes { bytes in
            try tokenizer.feed(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), take)
        }
    }

    /// Reads the header (or detects there is none) and resolves the feature columns.
    private func start() throws {
        guard pendingStart < pending.count else {
            throw DataError(file: source.name, "empty file, expected CSV data")
        }
        let first = pending[pendingStart]
        let hasHeader = header ?? CSVReader.isHeader(first)
        let layout = try CSVLayout(file: source.name, names: hasHeader ? first.fields : nil, columnCount: first.fields.count)
        if hasHeader { pendingStart += 1 }
        let selected = hasHeader ? namedFeatures.map { $0.map(CSVColumn.name) } ?? features : features
        featureColumns = try selected.map { try $0.map { try layout.resolve($0, role: "feature") } }
            ?? Array(0..<layout.columnCount)
        try CSVReader.checkDistinct([], featureColumns, layout: layout)
        columnNames = layout.names
        self.layout = layout
    }

    private func compact() {
        if pendingStart > 4096 || pendingStart == pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
    }
}

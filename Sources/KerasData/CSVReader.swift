/// One target column read from a CSV file.
public struct CSVTarget: Sendable {
    /// The column's header name, or its 0-based index as text without a header.
    public var name: String
    /// The column's 0-based index in the file.
    public var column: Int
    /// One value per row: the number itself, or the class index when ``classNames`` is set.
    public var values: DataArray
    /// For a class column, the class names; `values` holds indices into this list.
    public var classNames: [String]?
}

/// A CSV file read as features and targets.
public struct CSVDataset: Sendable {
    /// The features, shape `[rows, featureCount]`.
    public var x: DataArray
    /// The feature columns' names (header names, or 0-based indices as text).
    public var featureNames: [String]
    /// The target columns in the order asked for.
    public var targets: [CSVTarget]
    /// The header, if the file has one.
    public var columnNames: [String]?

    /// The target named `name` (as in ``CSVTarget/name``).
    public func target(named name: String) -> CSVTarget? { targets.first { $0.name == name } }
}

/// Reads a whole CSV file (plain, gzip, or `-` for standard input) into memory.
///
/// RFC 4180: quoted fields may hold delimiters, newlines and doubled quotes; LF, CRLF and
/// CR line ends; trailing blank lines are ignored (a blank line inside the data is an
/// error). Feature cells must be finite numbers. A target column with a cell that is not a
/// number becomes a class column: its distinct values sorted by Swift `String` ordering
/// (Unicode code points, as Python's `sorted` for ASCII names) become class indices
/// 0, 1, 2..., unless known class names for that target are given in the options.
public enum CSVReader {
    /// Reads `path` with `options`.
    public static func read(_ path: String, options: CSVOptions) throws -> CSVDataset {
        let file = ByteSource.displayName(path)
        let delimiter = try options.delimiterByte(file: file)
        let source = try ByteSource(path: path)
        var records = try readRecords(source, delimiter: delimiter)
        while let last = records.last, last.isBlank { records.removeLast() }
        guard let first = records.first else { throw DataError(file: file, "empty file, expected CSV data") }
        let hasHeader = options.header ?? isHeader(first)
        let layout = try CSVLayout(file: file, names: hasHeader ? first.fields : nil, columnCount: first.fields.count)
        let rows = hasHeader ? records.dropFirst() : records[...]
        if rows.isEmpty { throw DataError(file: file, "no data rows after the header") }
        for record in rows { try layout.checkWidth(record) }

        let targetColumns = try options.target.map { try layout.resolve($0, role: "target") }
        let featureColumns = try options.features.map { try $0.map { try layout.resolve($0, role: "feature") } }
            ?? (0..<layout.columnCount).filter { !targetColumns.contains($0) }
        try checkDistinct(targetColumns, featureColumns, layout: layout)

        var x = [Float](repeating: 0, count: rows.count * featureColumns.count)
        var k = 0
        for record in rows {
            for c in featureColumns {
                x[k] = try layout.number(record.fields[c], line: record.line, column: c)
                k += 1
            }
        }
        let targets = try targetColumns.map { column in
            try readTarget(rows, column: column, layout: layout,
                           known: options.classNames[layout.name(column)] ?? options.classNames[String(column)])
        }
        return CSVDataset(x: try DataArray(shape: [rows.count, featureColumns.count], floats: x),
                          featureNames: featureColumns.map(layout.name), targets: targets,
                          columnNames: layout.names)
    }

    /// Reads prediction input: every column (or the listed ones) is a feature, no target.
    /// `header` nil detects a header row. Returns shape `[rows, columns]`.
    public static func readFeatures(_ path: String, header: Bool? = nil, delimiter: Character = ",",
                                    features: [CSVColumn]? = nil) throws -> DataArray {
        try read(path, options: CSVOptions(header: header, delimiter: delimiter, features: features)).x
    }

    /// A first row is a header when one of its fields is not a number.
    static func isHeader(_ record: CSVRecord) -> Bool {
        record.fields.contains { if case .number = CSVLayout.parse($0) { return false } else { return true } }
    }

    static func checkDistinct(_ targets: [Int], _ features: [Int], layout: CSVLayout) throws {
        var seen = Set<Int>()
        for c in targets + features where !seen.insert(c).inserted {
            let both = targets.contains(c) && features.contains(c)
            let what = both ? "is both a target and a feature" : "is listed twice"
            throw DataError(file: layout.file, "column '\(layout.name(c))' \(what)")
        }
        if features.isEmpty { throw DataError(file: layout.file, "no feature columns left") }
    }

    static func readRecords(_ source: ByteSource, delimiter: UInt8) throws -> [CSVRecord] {
        var tokenizer = CSVTokenizer(file: source.name, delimiter: delimiter)
        var records: [CSVRecord] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            try chunk.withUnsafeBytes { bytes in
                try tokenizer.feed(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) { records.append($0) }
            }
        }
        try tokenizer.finish { records.append($0) }
        return records
    }

    static func readTarget(_ rows: ArraySlice<CSVRecord>, column: Int, layout: CSVLayout,
                           known: [String]?) throws -> CSVTarget {
        let name = layout.name(column)
        var values = [Float](repeating: 0, count: rows.count)
        var classes = known
        if classes == nil {
            let numeric = rows.allSatisfy { if case .notANumber = CSVLayout.parse($0.fields[column]) { false } else { true } }
            if numeric {
                for (i, record) in rows.enumerated() {
                    values[i] = try layout.number(record.fields[column], line: record.line, column: column)
                }
                return CSVTarget(name: name, column: column, values: try DataArray(shape: [rows.count], floats: values))
            }
            classes = Set(rows.map { String($0.fields[column].trimmingASCIISpaces()) }).sorted()
        }
        let list = classes ?? []
        var index: [String: Int] = [:]
        for (i, c) in list.enumerated() where index[c] == nil { index[c] = i }
        for (i, record) in rows.enumerated() {
            let value = String(record.fields[column].trimmingASCIISpaces())
            if value.isEmpty { throw layout.cellError(line: record.line, column: column, "empty class name") }
            guard let k = index[value] else {
                let shown = list.count <= 20 ? list.joined(separator: ", ") : list.prefix(20).joined(separator: ", ") + ", ..."
                throw layout.cellError(line: record.line, column: column, "unknown class '\(value)'; known classes: \(shown)")
            }
            values[i] = Float(k)
        }
        return CSVTarget(name: name, column: column, values: try DataArray(shape: [rows.count], floats: values),
                         classNames: list)
    }
}

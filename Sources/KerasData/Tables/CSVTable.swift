/// A CSV file read as a table of text cells, as users have it: a header naming the columns
/// (any text: spaces, punctuation), quoted fields with delimiters, newlines and doubled
/// quotes, CRLF line ends, a UTF-8 byte-order mark (``CSVTokenizer``). Cells stay text
/// until a feature reads them as its type (``FeatureSpace``), so a string column and a
/// numeric one sit side by side.
///
/// A cell whose text (spaces and tabs trimmed) is one of `naValues` is missing (pandas'
/// `na_values`). Every row must have as many fields as the header.
public struct CSVTable: Sendable {
    /// The file as the user named it (`<stdin>` for standard input).
    public let file: String
    /// The header's column names.
    public let names: [String]
    /// The values that mark a missing cell.
    public let naValues: Set<String>
    let records: [CSVRecord]
    let layout: CSVLayout

    /// Reads `path` (plain, gzip, or `-`): the first row is the header.
    public init(path: String, delimiter: Character = ",", naValues: [String] = []) throws {
        file = ByteSource.displayName(path)
        let byte = try CSVOptions(delimiter: delimiter).delimiterByte(file: file)
        var records = try CSVReader.readRecords(try ByteSource(path: path), delimiter: byte)
        while let last = records.last, last.isBlank { records.removeLast() }
        guard let first = records.first else { throw DataError(file: file, "empty file, expected a header row and CSV data") }
        layout = try CSVLayout(file: file, names: first.fields, columnCount: first.fields.count)
        names = first.fields
        let rows = Array(records.dropFirst())
        if rows.isEmpty { throw DataError(file: file, "no data rows after the header") }
        for record in rows { try layout.checkWidth(record) }
        self.records = rows
        self.naValues = Set(naValues)
    }

    /// The number of data rows.
    public var rowCount: Int { records.count }

    /// The 1-based file line where data row `row` starts.
    public func line(_ row: Int) -> Int { records[row].line }

    /// The 0-based index of the column named `name`; an unknown name is an error with a
    /// "did you mean" and the list of columns.
    public func column(_ name: String, role: String = "feature") throws -> Int {
        try layout.resolve(.name(name), role: role)
    }

    /// The cell at `row`, `column` with spaces and tabs trimmed, or nil when it is missing.
    public func cell(_ row: Int, _ column: Int) -> Substring? {
        let text = records[row].fields[column].trimmingASCIISpaces()
        return naValues.contains(String(text)) ? nil : text
    }

    /// The cell as written (not trimmed), for text features.
    public func rawCell(_ row: Int, _ column: Int) -> String? {
        let text = records[row].fields[column]
        return naValues.contains(String(text.trimmingASCIISpaces())) ? nil : text
    }

    /// A located error about one cell: `file:line:column (name): message`.
    public func cellError(_ row: Int, _ column: Int, _ message: String) -> DataError {
        layout.cellError(line: records[row].line, column: column, message)
    }

    /// A located error about a whole column: `file:1:column (name): message`.
    public func columnError(_ column: Int, _ message: String) -> DataError {
        layout.cellError(line: 1, column: column, message)
    }

    /// The cell read as a finite number; nil when missing; else a located error.
    public func number(_ row: Int, _ column: Int) throws -> Double? {
        guard let text = cell(row, column) else { return nil }
        guard let v = Double(text), v.isFinite, Float(v).isFinite else {
            let hint = naValues.isEmpty ? " (list missing-value markers in the source's na_values)" : ""
            throw cellError(row, column, "expected a number, got '\(text)'\(hint)")
        }
        return v
    }

    /// The cell read as an integer; nil when missing; else a located error.
    public func integer(_ row: Int, _ column: Int) throws -> Int64? {
        guard let text = cell(row, column) else { return nil }
        if let v = Int64(text) { return v }
        if let d = Double(text), d.isFinite, d == d.rounded(), abs(d) < 9.0e18 { return Int64(d) }
        throw cellError(row, column, "expected an integer category, got '\(text)' (use a float_* feature for measurements, string_categorical for names)")
    }

    /// A target column as class indices (a text column: its sorted distinct values, or the
    /// `known` classes) or numbers, over `rows`; missing targets are errors.
    public func target(_ column: Int, rows: [Int], known: [String]?) throws -> CSVTarget {
        for r in rows where cell(r, column) == nil {
            throw cellError(r, column, "missing target value")
        }
        return try CSVReader.readTarget(ArraySlice(rows.map { records[$0] }), column: column, layout: layout, known: known)
    }

    /// The rows (in file order) whose cell in `column` is not missing.
    public func rowsWithValue(in column: Int) -> [Int] {
        (0..<rowCount).filter { cell($0, column) != nil }
    }
}

import KerasText

/// A CSV column named by its header name or by its 0-based index.
public enum CSVColumn: Hashable, Sendable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case name(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .name(value) }
    public init(integerLiteral value: Int) { self = .index(value) }
}

/// How to read a CSV file: the `{format: csv, ...}` keys of a spec's `data` section.
public struct CSVOptions: Sendable {
    /// Whether the first row names the columns; nil detects it (a header if any field of
    /// the first row is not a number).
    public var header: Bool?
    /// The field separator, a single ASCII character.
    public var delimiter: Character
    /// The target columns, in order; empty for features-only input (prediction).
    public var target: [CSVColumn]
    /// The feature columns, in order; nil means every column that is not a target.
    public var features: [CSVColumn]?
    /// Known class names per target (keyed by ``CSVTarget/name`` or the 0-based column index as text), e.g. from training:
    /// the target is mapped through this list and an unknown value is an error.
    public var classNames: [String: [String]]

    public init(header: Bool? = true, delimiter: Character = ",", target: [CSVColumn] = [],
                features: [CSVColumn]? = nil, classNames: [String: [String]] = [:]) {
        self.header = header
        self.delimiter = delimiter
        self.target = target
        self.features = features
        self.classNames = classNames
    }

    /// The delimiter as a byte, or an error if it is not one ASCII character.
    func delimiterByte(file: String) throws -> UInt8 {
        guard let ascii = delimiter.asciiValue, ascii != 0x22, ascii != 0x0A, ascii != 0x0D else {
            throw DataError(file: file, "delimiter must be a single ASCII character other than a quote or newline, got '\(delimiter)'")
        }
        return ascii
    }
}

/// The columns of a CSV file once its header (if any) is known: name lookup and cell parsing.
struct CSVLayout {
    let file: String
    /// Header names, or nil without a header.
    let names: [String]?
    let columnCount: Int

    init(file: String, names: [String]?, columnCount: Int) throws {
        self.file = file
        self.names = names
        self.columnCount = columnCount
        guard let names else { return }
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let first = seen[name] {
                throw DataError(file: file, line: 1, column: i + 1, "duplicate column name '\(name)' (also column \(first + 1))")
            }
            seen[name] = i
        }
    }

    /// The name used for column `i` in results: its header name, or its 0-based index.
    func name(_ i: Int) -> String { names?[i] ?? String(i) }

    /// The 0-based index of `column`; `role` ("target", "feature") words the error.
    func resolve(_ column: CSVColumn, role: String) throws -> Int {
        switch column {
        case .index(let i):
            if i < 0 || i >= columnCount {
                throw DataError(file: file, "\(role) column index \(i) is out of range: the file has \(columnCount) columns (0-based indices 0...\(columnCount - 1))")
            }
            return i
        case .name(let name):
            guard let names else {
                throw DataError(file: file, "\(role) column '\(name)' given by name, but the file has no header; use a 0-based index")
            }
            if let i = names.firstIndex(of: name) { return i }
            throw DataError(file: file, unknownName("unknown \(role) column '\(name)'", name, among: names,
                                                    otherwise: "; the columns are: \(names.joined(separator: ", "))"))
        }
    }

    /// A located error for the cell at `line` (1-based) and `column` (0-based).
    func cellError(line: Int, column: Int, _ message: String) -> DataError {
        DataError(file: file, line: line, column: column + 1, columnName: names?[column], message)
    }

    /// Checks a record has one field per column.
    func checkWidth(_ record: CSVRecord) throws {
        if record.isBlank {
            throw DataError(file: file, line: record.line, "blank line inside the data (only trailing blank lines are ignored)")
        }
        if record.fields.count != columnCount {
            let source = names == nil ? "the first row" : "the header"
            throw DataError(file: file, line: record.line, "row has \(record.fields.count) fields, expected \(columnCount) as in \(source)")
        }
    }

    /// Parses the cell as a finite Float, or throws a located error.
    func number(_ text: String, line: Int, column: Int) throws -> Float {
        switch CSVLayout.parse(text) {
        case .number(let value): return value
        case .empty: throw cellError(line: line, column: column, "empty value, expected a number")
        case .notFinite: throw cellError(line: line, column: column, "value '\(text)' is not a finite number")
        case .notANumber: throw cellError(line: line, column: column, "expected a number, got '\(text)'")
        }
    }

    enum Parsed { case number(Float), empty, notFinite, notANumber }

    /// Parses a number, ignoring surrounding spaces and tabs.
    static func parse(_ text: String) -> Parsed {
        let trimmed = text.trimmingASCIISpaces()
        if trimmed.isEmpty { return .empty }
        guard let value = Float(trimmed) else { return .notANumber }
        return value.isFinite ? .number(value) : .notFinite
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> Substring {
        let s = self[...]
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = s.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return Substring() }
        return Substring(s[first...last])
    }
}

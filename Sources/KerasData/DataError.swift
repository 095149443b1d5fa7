import KerasText
/// A problem with input data: a missing file, a corrupt IDX header, a bad CSV cell.
///
/// It prints as exactly one line, compiler-style, with 1-based numbers:
///
/// - `path: message` for a problem with the whole file,
/// - `path:line: message` for a problem with one CSV row (line = physical line in the file),
/// - `path:line:column: message` for a cell in a file without a header,
/// - `path:line:column (name): message` for a cell in a file with a header.
///
/// For example `datasets/iris.csv:12:3 (petal_length): expected a number, got 'abc'`.
/// An error not tied to a file (an empty `file`) prints its message alone. Standard input
/// is named `<stdin>`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the user named it, `<stdin>` for standard input, or empty.
    public var file: String
    /// The 1-based physical line in the file, if the problem is in one row.
    public var line: Int?
    /// The 1-based column, if the problem is in one cell or column.
    public var column: Int?
    /// The column's header name, if the file has a header.
    public var columnName: String?
    /// What went wrong, stating what was expected and what was found.
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
    }

    /// The one-line form documented on the type.
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let columnName { location += " (\(columnName))" }
        return oneLine(location.isEmpty ? message : "\(location): \(message)")
    }
}

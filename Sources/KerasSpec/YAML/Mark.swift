/// A position in a spec file: the file as the user named it, and a 1-based line and column.
///
/// Every ``Node`` carries the mark of its first character, so that any error about it,
/// however late it is discovered, can point at the exact place in the file.
public struct Mark: Sendable, Equatable, CustomStringConvertible {
    /// The file as given by the user (not resolved), e.g. `specs/cnn.yaml`.
    public let file: String
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, counted in characters.
    public let column: Int

    /// Creates a mark.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix of a located error.
    public var description: String { "\(file):\(line):\(column)" }
}

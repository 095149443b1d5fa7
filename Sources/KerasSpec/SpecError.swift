import KerasText
/// The one error type of KerasSpec: a problem in a spec file, located.
///
/// Its ``description`` is one line, compiler-style:
///
///     specs/cnn.yaml:14:7: model.layers[3] (Dense 'logits'): units must be a positive integer, got -4
///
/// that is `file:line:column: path (Kind 'name'): message`. The label is left out when there
/// is none, the path when the problem concerns the whole file (`file:line:column: message`),
/// and the line and column when there is no position (`file: message`).
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?
    /// The path of the offending node or object, e.g. `model.layers[3]`.
    public var path: String?
    /// The object at that path, e.g. `Dense 'logits'` or `Dropout`.
    public var label: String?
    /// What is wrong: what was expected and what was received.
    public var message: String

    /// Creates an error from its parts.
    public init(file: String, line: Int? = nil, column: Int? = nil,
                path: String? = nil, label: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.label = label
        self.message = message
    }

    /// Creates an error at a mark.
    public init(_ message: String, at mark: Mark, path: String? = nil, label: String? = nil) {
        self.init(file: mark.file, line: mark.line, column: mark.column,
                  path: path, label: label, message: message)
    }

    /// The mark, when the error has a line and column.
    public var mark: Mark? {
        guard let line, let column else { return nil }
        return Mark(file: file, line: line, column: column)
    }

    /// The single-line, compiler-style rendering.
    public var description: String {
        var text = file
        if let line, let column { text += ":\(line):\(column)" }
        text += ": "
        if let path, !path.isEmpty {
            text += path
            if let label, !label.isEmpty { text += " (\(label))" }
            text += ": "
        } else if let label, !label.isEmpty {
            text += "\(label): "
        }
        text += message
        return oneLine(text)
    }

}

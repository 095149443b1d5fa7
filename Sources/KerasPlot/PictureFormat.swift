/// The picture formats kerasctl writes, chosen by the output file's extension.
public enum PictureFormat: String, CaseIterable, Sendable {
    case png, svg

    /// The format named by `path`'s extension (case-insensitive); nil for any other.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: path[path.index(after: dot)...].lowercased())
    }
}

/// A picture that could not be made; the message says why.
public struct PlotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

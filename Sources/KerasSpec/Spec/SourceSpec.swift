/// A value attached to a name (an input, an output), with the node it came from.
public struct Named<T> {
    /// The input or output name.
    public let name: String
    /// The value for that name.
    public let value: T
    /// The node of the value, for located errors.
    public let node: Node

    /// Creates a named value.
    public init(name: String, value: T, node: Node) {
        self.name = name
        self.value = value
        self.node = node
    }
}

extension Named: Sendable where T: Sendable {}

/// A file path from a spec: as written, and resolved against the spec file's folder.
public struct DataPath: Sendable, Equatable {
    /// The path as written in the spec.
    public let original: String
    /// The path to open: `original` if absolute, else relative to the spec's folder.
    public let resolved: String
    /// The node holding the path.
    public let node: Node

    public static func == (lhs: DataPath, rhs: DataPath) -> Bool {
        lhs.original == rhs.original && lhs.resolved == rhs.resolved
    }
}

/// One path, or a map from input name to path (`x: {image: imgs.idx.gz, meta: meta.idx}`).
public enum PathOrMap: Sendable {
    case single(DataPath)
    case byName([Named<DataPath>])
}

/// A CSV column: by header name or by 0-based index.
public enum ColumnRef: Sendable, Equatable {
    case name(String)
    case index(Int)
}

/// Which column(s) hold the target: one, several, or per output
/// (`target: {label: species, size: length}`).
public enum ColumnSelection: Sendable {
    case single(ColumnRef)
    case list([ColumnRef])
    case byOutput([Named<[ColumnRef]>])
}

/// An IDX source: `{format: idx, x: images.idx3-ubyte.gz, y: labels.idx1-ubyte.gz}`.
public struct IDXSource: Sendable {
    /// The examples (or one file per named input).
    public let x: PathOrMap
    /// The labels (or one file per named output); nil when not given.
    public let y: PathOrMap?
}

/// A CSV source: `{format: csv, path: iris.csv, header: true, delimiter: ",", target: species}`.
public struct CSVSource: Sendable {
    /// The file.
    public let path: DataPath
    /// Whether the first row holds column names (default true).
    public let header: Bool
    /// The field separator, one character (default `,`).
    public let delimiter: Character
    /// The target column(s); nil when not given.
    public let target: ColumnSelection?
    /// The node of `target`, for located data errors.
    public let targetNode: Node?
    /// The feature columns; nil means every column that is not a target.
    public let features: [ColumnRef]?
    /// The node of `features`.
    public let featuresNode: Node?
    /// The cell values that mean "missing" (pandas' `na_values`), e.g. `[NA, ""]`.
    public let naValues: [String]
}

/// Where examples come from: an IDX or a CSV source, with its node and path.
public struct SourceSpec: Sendable {
    /// The two formats.
    public enum Format: Sendable {
        case idx(IDXSource)
        case csv(CSVSource)
    }

    /// The format and its settings.
    public let format: Format
    /// The source's map node.
    public let node: Node
    /// Its path, e.g. `data.train`.
    public let path: String

    /// A located error about this source, to `throw`.
    public func error(_ message: String, at node: Node? = nil) -> SpecError {
        SpecError(message, at: (node ?? self.node).mark, path: path)
    }

    /// Reads a source map; relative paths resolve against `folder`.
    init(node: Node, path: String, folder: String) throws(SpecError) {
        let args = try ArgReader(section: node, path: path)
        let format = try args.required("format", .oneOf(["idx", "csv"]))
        self.node = node
        self.path = path
        if format == "idx" {
            let x = try SourceSpec.pathOrMap(args.node("x"), key: "x", args: args, folder: folder)
            guard let x else { throw args.missing("x") }
            let y = try SourceSpec.pathOrMap(args.node("y"), key: "y", args: args, folder: folder)
            self.format = .idx(IDXSource(x: x, y: y))
        } else {
            let file = try args.required("path", .string)
            let header = try args.bool("header", default: true)
            let delimiterText = try args.string("delimiter", default: ",")
            guard delimiterText.count == 1, let delimiter = delimiterText.first else {
                throw args.error("delimiter must be one character, got '\(delimiterText)'", key: "delimiter")
            }
            let targetNode = args.node("target")
            var target: ColumnSelection?
            if let targetNode, !targetNode.isNull {
                target = try SourceSpec.selection(targetNode, args: args)
            }
            let featuresNode = args.node("features")
            var features: [ColumnRef]?
            if let featuresNode, !featuresNode.isNull {
                features = try SourceSpec.columns(featuresNode, key: "features", args: args)
            }
            var naValues: [String] = []
            if let naNode = args.node("na_values"), !naNode.isNull {
                for item in naNode.items ?? [naNode] {
                    guard let text = item.text, item.items == nil, item.entries == nil else {
                        throw args.error("na_values must be a value or a list of values that mark a missing cell, e.g. [NA, \"\"], got \(item.got)", at: item)
                    }
                    naValues.append(text)
                }
            }
            let resolved = DataPath(original: file, resolved: resolve(file, in: folder), node: node["path"] ?? node)
            self.format = .csv(CSVSource(path: resolved, header: header, delimiter: delimiter,
                                         target: target, targetNode: targetNode, features: features,
                                         featuresNode: featuresNode, naValues: naValues))
        }
        try args.finish(alsoKnown: ["format", "x", "y", "path", "header", "delimiter", "target", "features", "na_values"])
    }

    private static func pathOrMap(_ node: Node?, key: String, args: ArgReader,
                                  folder: String) throws(SpecError) -> PathOrMap? {
        guard let node, !node.isNull else { return nil }
        if let text = node.string {
            return .single(DataPath(original: text, resolved: resolve(text, in: folder), node: node))
        }
        guard let entries = node.entries, !entries.isEmpty else {
            throw args.error("\(key) must be a file path or a map from input name to path, got \(node.got)", at: node)
        }
        var result: [Named<DataPath>] = []
        for entry in entries {
            guard let text = entry.value.string else {
                throw args.error("\(key).\(entry.name) must be a file path, got \(entry.value.got)", at: entry.value)
            }
            let path = DataPath(original: text, resolved: resolve(text, in: folder), node: entry.value)
            result.append(Named(name: entry.name, value: path, node: entry.value))
        }
        return .byName(result)
    }

    private static func selection(_ node: Node, args: ArgReader) throws(SpecError) -> ColumnSelection {
        if node.scalar != nil { return .single(try column(node, key: "target", args: args)) }
        if node.items != nil { return .list(try columns(node, key: "target", args: args)) }
        var result: [Named<[ColumnRef]>] = []
        for entry in node.entries ?? [] {
            let refs = try columns(entry.value, key: "target.\(entry.name)", args: args)
            result.append(Named(name: entry.name, value: refs, node: entry.value))
        }
        if result.isEmpty { throw args.error("target must not be an empty map", at: node) }
        return .byOutput(result)
    }

    /// One column, or a list of columns.
    private static func columns(_ node: Node, key: String, args: ArgReader) throws(SpecError) -> [ColumnRef] {
        guard let items = node.items else { return [try column(node, key: key, args: args)] }
        if items.isEmpty { throw args.error("\(key) must list at least one column", at: node) }
        var result: [ColumnRef] = []
        for item in items { result.append(try column(item, key: key, args: args)) }
        return result
    }

    private static func column(_ node: Node, key: String, args: ArgReader) throws(SpecError) -> ColumnRef {
        switch node.scalar?.value {
        case .int(let index)? where index >= 0: return .index(index)
        case .string(let name)?: return .name(name)
        default:
            throw args.error("\(key) must be a column name or a 0-based column index, got \(node.got)", at: node)
        }
    }
}

/// `path` if absolute, else `folder/path` (`folder` empty means the current directory).
func resolve(_ path: String, in folder: String) -> String {
    if path.hasPrefix("/") || folder.isEmpty { return path }
    return folder.hasSuffix("/") ? folder + path : folder + "/" + path
}

/// The limits applied while loading a YAML file, so that hostile input fails cleanly.
public struct YAMLLimits: Sendable {
    /// The largest file read, in bytes (default 16 MiB).
    public var maxBytes: Int
    /// The deepest nesting of lists and maps (default 100).
    public var maxDepth: Int
    /// The most nodes the document may expand to, aliases included (default 1,000,000).
    public var maxNodes: Int
    /// What the text is, for messages: `YAML`, or `JSON` for a Keras model JSON (read with
    /// the same parser, JSON being YAML).
    public var language = "YAML"

    /// Creates limits.
    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 100, maxNodes: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// The defaults.
    public static let standard = YAMLLimits()
    /// The defaults, for JSON text.
    public static let json: YAMLLimits = { var l = YAMLLimits(); l.language = "JSON"; return l }()

    /// What a document must be, for messages.
    var expectedDocument: String {
        language == "JSON" ? "a JSON object (a Keras model config)" : "a YAML mapping with at least a 'model' key"
    }

    /// The same, once the text is known to be in the right language.
    var expectedRoot: String {
        language == "JSON" ? "a JSON object (a Keras model config)" : "a mapping with at least a 'model' key"
    }

    /// What holds exactly one document, for messages.
    var documentHolder: String { language == "JSON" ? "a Keras model JSON" : "a spec" }
}

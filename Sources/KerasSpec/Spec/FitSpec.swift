/// The `fit` section, with Keras's defaults: 1 epoch, batch size 32, shuffle, no
/// validation, no callbacks.
public struct FitSpec: Sendable {
    /// Number of epochs (default 1).
    public let epochs: Int
    /// Batch size (default 32).
    public let batchSize: Int
    /// The last fraction of the training data held out for validation, in (0, 1).
    public let validationSplit: Double?
    /// A separate validation source (exclusive with ``validationSplit``).
    public let validation: SourceSpec?
    /// Whether to shuffle the training data each epoch (default true).
    public let shuffle: Bool
    /// Callbacks in order (`EarlyStopping`, `CSVLogger: history.csv`, ...).
    public let callbacks: [ObjectSpec]
    /// Keras's `verbose`: 0, 1 or 2; nil means `"auto"` (the default).
    public let verbose: Int?
    /// The `fit` node, or nil when the section is absent.
    public let node: Node?

    /// Keras's defaults.
    public init() {
        epochs = 1
        batchSize = 32
        validationSplit = nil
        validation = nil
        shuffle = true
        callbacks = []
        verbose = nil
        node = nil
    }

    init(node: Node, folder: String) throws(SpecError) {
        let args = try ArgReader(section: node, path: "fit")
        epochs = try args.positiveInt("epochs", default: 1)
        batchSize = try args.positiveInt("batch_size", default: 32)
        validationSplit = try args.doubleInRange("validation_split", 0, 1, lowerInclusive: false, upperInclusive: false)
        var validation: SourceSpec?
        if let validationNode = args.node("validation"), !validationNode.isNull {
            if validationSplit != nil {
                throw args.error("give either validation_split or validation, not both", key: "validation")
            }
            validation = try SourceSpec(node: validationNode, path: "fit.validation", folder: folder)
        }
        self.validation = validation
        shuffle = try args.bool("shuffle", default: true)
        callbacks = try args.objects("callbacks")
        if let verboseNode = args.node("verbose"), !verboseNode.isNull, verboseNode.string != "auto" {
            verbose = try args.value("verbose", .integer("0, 1, 2 or 'auto'") { (0...2).contains($0) })
        } else {
            verbose = nil
        }
        self.node = node
        try args.finish()
    }
}

/// The `data` section: where training and test examples come from, and their
/// preprocessing.
public struct DataSpec: Sendable {
    /// The training examples.
    public let train: SourceSpec?
    /// The test examples, evaluated after training.
    public let test: SourceSpec?
    /// Preprocessing applied to every split's `x`.
    public let preprocess: PreprocessSpec
    /// The `data` node.
    public let node: Node

    init(node: Node, folder: String) throws(SpecError) {
        let args = try ArgReader(section: node, path: "data")
        self.node = node
        var train: SourceSpec?
        if let trainNode = args.node("train"), !trainNode.isNull {
            train = try SourceSpec(node: trainNode, path: "data.train", folder: folder)
        }
        var test: SourceSpec?
        if let testNode = args.node("test"), !testNode.isNull {
            test = try SourceSpec(node: testNode, path: "data.test", folder: folder)
        }
        self.train = train
        self.test = test
        if let preprocessNode = args.node("preprocess"), !preprocessNode.isNull {
            preprocess = try PreprocessSpec(node: preprocessNode)
        } else {
            preprocess = PreprocessSpec()
        }
        try args.finish()
    }
}

/// `data.preprocess`: applied to `x` in this order: `rescale` (x * rescale, as Keras
/// `Rescaling`), then `standardize` (per-feature mean and standard deviation from the
/// training split, kept in the model), then `reshape` (the per-example shape fed to the
/// model). `rescale` and `standardize` may both be given.
public struct PreprocessSpec: Sendable {
    /// The factor `x` is multiplied by.
    public let rescale: Double?
    /// Whether to standardize each feature.
    public let standardize: Bool
    /// The per-example shape after preprocessing.
    public let reshape: [Int]?
    /// The `preprocess` node, when given.
    public let node: Node?

    /// No preprocessing.
    public init() {
        rescale = nil
        standardize = false
        reshape = nil
        node = nil
    }

    init(node: Node) throws(SpecError) {
        let args = try ArgReader(section: node, path: "data.preprocess")
        self.node = node
        rescale = try args.value("rescale", ArgType<Double>(expected: "a finite number") { node throws(ArgMismatch) in
            let value = try ArgType<Double>.double.convert(node)
            guard value.isFinite else { throw ArgMismatch(node: node) }
            return value
        })
        standardize = try args.bool("standardize", default: false)
        reshape = try args.shape("reshape")
        try args.finish()
    }
}

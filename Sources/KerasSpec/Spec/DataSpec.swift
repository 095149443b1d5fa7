/// The `data` section: where training and test examples come from, and their
/// preprocessing.
public struct DataSpec: Sendable {
    /// The training examples.
    public let train: SourceSpec?
    /// The test examples, evaluated after training.
    public let test: SourceSpec?
    /// `test: {split: 0.2}`: this fraction of the training file's rows, chosen by a
    /// shuffle with the spec's seed, is held out as the test set (feature_space tables).
    public let testSplit: Double?
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
        var testSplit: Double?
        if let testNode = args.node("test"), !testNode.isNull {
            if testNode["split"] != nil {
                let split = try ArgReader(section: testNode, path: "data.test")
                testSplit = try split.required("split", .range(0, 1, lowerInclusive: false, upperInclusive: false))
                try split.finish()
            } else {
                test = try SourceSpec(node: testNode, path: "data.test", folder: folder)
            }
        }
        self.train = train
        self.test = test
        self.testSplit = testSplit
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
    /// Keras's FeatureSpace over the columns of a CSV table.
    public let featureSpace: FeatureSpaceSpec?
    /// The `preprocess` node, when given.
    public let node: Node?

    /// No preprocessing.
    public init() {
        rescale = nil
        standardize = false
        reshape = nil
        featureSpace = nil
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
        if let fs = args.node("feature_space"), !fs.isNull {
            featureSpace = try FeatureSpaceSpec(node: fs)
            for key in ["rescale", "standardize", "reshape"] where args.has(key) {
                throw args.error("\(key) does not apply to a feature_space (its features say how each column is scaled)", key: key)
            }
        } else {
            featureSpace = nil
        }
        try args.finish()
    }
}

/// `data.preprocess.feature_space`: Keras's `keras.utils.FeatureSpace` as YAML.
///
/// ```yaml
/// feature_space:
///   features:                       # column name -> feature type (one object each)
///     island: string_categorical
///     bill_length_mm: {float_normalized: {fill: mean}}
///   crosses: [{features: [island, sex], crossing_dim: 16}]   # or Keras's [[island, sex]]
///   output_mode: concat             # or dict
///   crossing_dim: 32                # FeatureSpace's defaults for crosses,
///   hashing_dim: 32                 # *_hashed given by name,
///   num_discretization_bins: 32     # and float_discretized given by name
/// ```
/// Each feature's type and arguments stay an ``ObjectSpec``: the builder's feature
/// registry reads them, so an unknown type or argument is located at its key.
public struct FeatureSpaceSpec: Sendable {
    /// One feature cross: the feature names, its `crossing_dim` and `output_mode` if given.
    public struct Cross: Sendable {
        public let features: [String]
        public let crossingDim: Int?
        public let outputMode: String?
        public let node: Node
    }

    /// The features in the order written: column name and feature object.
    public let features: [Named<ObjectSpec>]
    public let crosses: [Cross]
    /// `concat` or `dict`.
    public let outputMode: String
    public let crossingDim: Int
    public let hashingDim: Int
    public let numDiscretizationBins: Int
    /// The `feature_space` node.
    public let node: Node

    static let path = "data.preprocess.feature_space"

    init(node: Node) throws(SpecError) {
        let args = try ArgReader(section: node, path: Self.path)
        self.node = node
        guard let featuresNode = args.node("features"), !featuresNode.isNull else { throw args.missing("features") }
        guard let entries = featuresNode.entries, !entries.isEmpty else {
            throw args.error("features must be a map from column name to feature type, e.g. {island: string_categorical}, got \(featuresNode.got)", at: featuresNode)
        }
        var features: [Named<ObjectSpec>] = []
        for entry in entries {
            if features.contains(where: { $0.name == entry.name }) {
                throw args.error("feature '\(entry.name)' is listed twice", at: entry.key)
            }
            let object = try ObjectSpec(node: entry.value, path: "\(Self.path).features.\(entry.name)")
            features.append(Named(name: entry.name, value: object, node: entry.value))
        }
        self.features = features
        outputMode = try args.oneOf("output_mode", ["concat", "dict"], default: "concat")
        crossingDim = try args.positiveInt("crossing_dim", default: 32)
        hashingDim = try args.positiveInt("hashing_dim", default: 32)
        numDiscretizationBins = try args.positiveInt("num_discretization_bins", default: 32)
        var crosses: [Cross] = []
        if let crossesNode = args.node("crosses"), !crossesNode.isNull {
            guard let items = crossesNode.items else {
                throw args.error("crosses must be a list of crosses ({features: [a, b], crossing_dim: 16} or [a, b]), got \(crossesNode.got)", at: crossesNode)
            }
            for (i, item) in items.enumerated() {
                crosses.append(try Self.cross(item, path: "\(Self.path).crosses[\(i)]"))
            }
        }
        self.crosses = crosses
        try args.finish()
    }

    private static func cross(_ node: Node, path: String) throws(SpecError) -> Cross {
        if node.items != nil {
            let names = try names(node, path: path)
            return Cross(features: names, crossingDim: nil, outputMode: nil, node: node)
        }
        let args = try ArgReader(section: node, path: path)
        guard let featuresNode = args.node("features"), !featuresNode.isNull else { throw args.missing("features") }
        let names = try names(featuresNode, path: path + ".features")
        let dim = try args.positiveInt("crossing_dim")
        let mode = try args.oneOf("output_mode", ["one_hot", "int"])
        try args.finish()
        return Cross(features: names, crossingDim: dim, outputMode: mode, node: node)
    }

    private static func names(_ node: Node, path: String) throws(SpecError) -> [String] {
        guard let items = node.items, items.count >= 2 else {
            throw node.error("a cross needs a list of at least two feature names, got \(node.got)", path: path)
        }
        var result: [String] = []
        for item in items {
            guard let name = item.text, item.items == nil, item.entries == nil else {
                throw item.error("a cross names features, got \(item.got)", path: path)
            }
            result.append(name)
        }
        return result
    }
}

import KerasData
import KerasSpec
import KerasText

/// The `FeatureSpace` defaults a feature given by name takes (Keras's `hashing_dim` and
/// `num_discretization_bins`).
public struct FeatureDefaults: Sendable {
    public var hashingDim = 32
    public var numDiscretizationBins = 32
    public init(hashingDim: Int = 32, numDiscretizationBins: Int = 32) {
        self.hashingDim = hashingDim; self.numDiscretizationBins = numDiscretizationBins
    }
}

/// A feature read from the spec, waiting for its FeatureSpace's defaults.
public typealias FeatureMaker = @Sendable (FeatureDefaults) throws -> (FeatureType, Fill?)

/// Keras's `FeatureSpace` feature types, with `FeatureSpace.<type>(...)`'s arguments and
/// defaults; numeric types also take `fill` (kerasctl's extension for missing values).
public enum FeatureRegistry {
    public static let table = Registry<FeatureMaker>(kind: "feature type", [
        .init(["float"], { o in
            let r = try o.reader(); let fill = try readFill(r); try r.finish()
            return { _ in (.float, fill) }
        }),
        .init(["float_rescaled"], main: "scale", { o in
            let r = try o.reader()
            let scale = try r.double("scale", default: 1), offset = try r.double("offset", default: 0)
            let fill = try readFill(r); try r.finish()
            return { _ in (.floatRescaled(scale: scale, offset: offset), fill) }
        }),
        .init(["float_normalized"], { o in
            let r = try o.reader(); let fill = try readFill(r); try r.finish()
            return { _ in (.floatNormalized, fill) }
        }),
        .init(["float_discretized"], main: "num_bins", { o in
            let r = try o.reader()
            let bins = try r.positiveInt("num_bins")
            let boundaries = try r.value("bin_boundaries", .doubleList)
            let mode = try outputMode(r), fill = try readFill(r)
            if let boundaries {
                if boundaries.isEmpty || zip(boundaries, boundaries.dropFirst()).contains(where: { $0 >= $1 }) {
                    throw r.error("bin_boundaries must be a non-empty list of increasing numbers", key: "bin_boundaries")
                }
                if let bins, bins != boundaries.count + 1 {
                    throw r.error("num_bins \(bins) disagrees with the \(boundaries.count) bin_boundaries (which make \(boundaries.count + 1) bins)", key: "num_bins")
                }
            } else if bins == 1 {
                throw r.error("num_bins must be at least 2 to discretize", key: "num_bins")
            }
            try r.finish()
            return { d in (.floatDiscretized(numBins: boundaries.map { $0.count + 1 } ?? bins ?? d.numDiscretizationBins,
                                             binBoundaries: boundaries, outputMode: mode), fill) }
        }),
        .init(["integer_categorical"], { o in
            let (maxTokens, oov, mode) = try lookupArguments(o)
            return { _ in (.integerCategorical(maxTokens: maxTokens, numOOVIndices: oov, outputMode: mode), nil) }
        }),
        .init(["string_categorical"], { o in
            let (maxTokens, oov, mode) = try lookupArguments(o)
            return { _ in (.stringCategorical(maxTokens: maxTokens, numOOVIndices: oov, outputMode: mode), nil) }
        }),
        .init(["integer_hashed"], main: "num_bins", { o in
            let r = try o.reader()
            let bins = try r.positiveInt("num_bins"), mode = try outputMode(r); try r.finish()
            return { d in (.integerHashed(numBins: bins ?? d.hashingDim, outputMode: mode), nil) }
        }),
        .init(["string_hashed"], main: "num_bins", { o in
            let r = try o.reader()
            let bins = try r.positiveInt("num_bins"), mode = try outputMode(r); try r.finish()
            return { d in (.stringHashed(numBins: bins ?? d.hashingDim, outputMode: mode), nil) }
        }),
        .init(["text"], { o in
            let r = try o.reader()
            var t = TextOptions()
            t.maxTokens = try r.positiveInt("max_tokens")
            t.standardize = try optionalChoice(r, "standardize", default: TextOptions.Standardize.lowerAndStripPunctuation)
            t.split = try optionalChoice(r, "split", default: TextOptions.Split.whitespace)
            if let node = r.node("ngrams"), !node.isNull {
                if case .int(let n)? = node.scalar?.value, n > 0 {
                    t.ngrams = Array(1...n)
                } else if let list = try r.value("ngrams", .intList), !list.isEmpty, list.allSatisfy({ $0 > 0 }) {
                    t.ngrams = list
                } else {
                    throw r.error("ngrams must be a positive integer n (1..n-grams) or a list of n-gram widths, got \(node.got)", at: node)
                }
            }
            t.outputMode = try optionalChoice(r, "output_mode", default: TextOptions.OutputMode.int) ?? .int
            t.outputSequenceLength = try r.positiveInt("output_sequence_length")
            t.padToMaxTokens = try r.bool("pad_to_max_tokens", default: false)
            if t.outputMode == .int, t.outputSequenceLength == nil {
                throw r.error("output_mode int needs output_sequence_length: the model's input has a fixed length")
            }
            if t.outputMode != .int, t.outputSequenceLength != nil {
                throw r.error("output_sequence_length must not be set if output_mode is not 'int' (Keras)", key: "output_sequence_length")
            }
            if t.padToMaxTokens, t.maxTokens == nil { throw r.error("pad_to_max_tokens needs max_tokens", key: "pad_to_max_tokens") }
            if let m = t.maxTokens, m <= t.reserved {
                throw r.error("max_tokens \(m) leaves no room for a token beside the \(t.reserved) reserved indices", key: "max_tokens")
            }
            try r.finish()
            return { [t] _ in (.text(t), nil) }
        }),
    ])

    /// A choice among an enum's raw values; `null` is Keras's `None` (nil), absent the default.
    static func optionalChoice<T: RawRepresentable & CaseIterable>(_ r: ArgReader, _ key: String, default value: T) throws -> T?
    where T.RawValue == String {
        guard let node = r.node(key) else { return value }
        if node.isNull { return nil }
        return T(rawValue: try r.oneOf(key, T.allCases.map(\.rawValue), default: value.rawValue))
    }

    /// `output_mode` of a categorical feature: Keras's `one_hot` (default) or `int`.
    static func outputMode(_ r: ArgReader) throws -> CategoricalOutput {
        CategoricalOutput(rawValue: try r.oneOf("output_mode", CategoricalOutput.allCases.map(\.rawValue), default: "one_hot")) ?? .oneHot
    }

    /// `max_tokens` (Keras: greater than 1, and room for a token beside the OOV indices),
    /// `num_oov_indices` (default 1), `output_mode`.
    static func lookupArguments(_ o: ObjectSpec) throws -> (Int?, Int, CategoricalOutput) {
        let r = try o.reader()
        let maxTokens = try r.positiveInt("max_tokens")
        let oov = try r.nonNegativeInt("num_oov_indices", default: 1)
        let mode = try outputMode(r)
        if let maxTokens, maxTokens <= oov {
            throw r.error("max_tokens \(maxTokens) leaves no room for a token beside the \(oov) OOV indices (max_tokens counts them)", key: "max_tokens")
        }
        try r.finish()
        return (maxTokens, oov, mode)
    }

    /// `fill: mean | median | zero | <number>`.
    static func readFill(_ r: ArgReader) throws -> Fill? {
        guard let node = r.node("fill"), !node.isNull else { return nil }
        switch node.scalar?.value {
        case .string("mean")?: return .mean
        case .string("median")?: return .median
        case .string("zero")?: return .zero
        case .int(let v)?: return .value(Double(v))
        case .float(let v)? where Float(v).isFinite: return .value(v)
        default: throw r.error("fill must be mean, median, zero or a number, got \(node.got)", at: node)
        }
    }
}

/// `data.preprocess.feature_space` → the data module's `FeatureSpaceConfig`, with Keras's
/// checks: crosses name known categorical features, and `concat` needs every output encoded.
public enum FeatureSpaceBuilder {
    public static func config(_ spec: FeatureSpaceSpec) throws -> FeatureSpaceConfig {
        let defaults = FeatureDefaults(hashingDim: spec.hashingDim, numDiscretizationBins: spec.numDiscretizationBins)
        var features: [FeatureConfig] = []
        for f in spec.features {
            let (type, fill) = try FeatureRegistry.table.make(f.value)(defaults)
            features.append(FeatureConfig(name: f.name, type: type, fill: fill))
        }
        let names = features.map(\.name)
        let path = "data.preprocess.feature_space"
        var crosses: [CrossConfig] = []
        for (i, c) in spec.crosses.enumerated() {
            for name in c.features {
                guard let f = features.first(where: { $0.name == name }) else {
                    throw c.node.error(unknownName("cross names '\(name)', which is not a feature", name, among: names,
                                                   otherwise: " (features: \(names.joined(separator: ", ")))"), path: "\(path).crosses[\(i)]")
                }
                if !f.type.isCategorical {
                    throw c.node.error("cross names '\(name)', a float feature: HashedCrossing takes categorical features (lookups, hashed or discretized)", path: "\(path).crosses[\(i)]")
                }
            }
            let mode = CategoricalOutput(rawValue: c.outputMode ?? "one_hot") ?? .oneHot
            crosses.append(CrossConfig(features: c.features, crossingDim: c.crossingDim ?? spec.crossingDim, outputMode: mode))
        }
        let mode = FeatureSpaceConfig.OutputMode(rawValue: spec.outputMode) ?? .concat
        if mode == .concat {
            for (f, s) in zip(features, spec.features) where isInt(f.type) {
                throw s.value.error("output_mode int cannot be concatenated (Keras: 'Cannot concatenate features because feature '\(f.name)' has not been encoded'); use feature_space output_mode: dict")
            }
            if let (i, c) = crosses.enumerated().first(where: { $0.element.outputMode == .int }) {
                throw spec.crosses[i].node.error("cross '\(c.name)' has output_mode int, which cannot be concatenated; use feature_space output_mode: dict", path: "\(path).crosses[\(i)]")
            }
        }
        return FeatureSpaceConfig(features: features, crosses: crosses, outputMode: mode)
    }

    private static func isInt(_ t: FeatureType) -> Bool {
        switch t {
        case let .floatDiscretized(_, _, m), let .integerCategorical(_, _, m), let .stringCategorical(_, _, m),
             let .integerHashed(_, m), let .stringHashed(_, m): m == .int
        case let .text(o): o.outputMode == .int
        default: false
        }
    }
}

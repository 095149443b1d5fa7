/// How a categorical feature or a cross is handed to the model (Keras's `Feature`
/// `output_mode`): `one_hot` (a `CategoryEncoding` multi-hot vector, Keras's default) or
/// `int` (the index itself, for an Embedding).
public enum CategoricalOutput: String, Codable, Sendable, CaseIterable {
    case oneHot = "one_hot"
    case int
}

/// What a numeric feature does with a missing value (a kerasctl extension; Keras has no
/// missing values): the training rows' `mean` or `median`, `zero`, or a fixed number.
public enum Fill: Codable, Equatable, Sendable {
    case mean, median, zero
    case value(Double)
}

/// A `keras.utils.FeatureSpace` feature type with Keras's arguments and defaults
/// (`FeatureSpace.float_discretized(num_bins, bin_boundaries=None, output_mode="one_hot")`, ...),
/// plus `text`.
public enum FeatureType: Codable, Equatable, Sendable {
    /// `float`: the value as is.
    case float
    /// `float_rescaled`: `value * scale + offset` (Keras `Rescaling`).
    case floatRescaled(scale: Double, offset: Double)
    /// `float_normalized`: `(value - mean) / max(sqrt(variance), 1e-7)` (Keras `Normalization`).
    case floatNormalized
    /// `float_discretized`: the bin index (Keras `Discretization`, quantile boundaries adapted
    /// unless `binBoundaries` are given).
    case floatDiscretized(numBins: Int, binBoundaries: [Double]?, outputMode: CategoricalOutput)
    /// `integer_categorical`: Keras `IntegerLookup`.
    case integerCategorical(maxTokens: Int?, numOOVIndices: Int, outputMode: CategoricalOutput)
    /// `string_categorical`: Keras `StringLookup`.
    case stringCategorical(maxTokens: Int?, numOOVIndices: Int, outputMode: CategoricalOutput)
    /// `integer_hashed`: Keras `Hashing` of the integer's decimal text.
    case integerHashed(numBins: Int, outputMode: CategoricalOutput)
    /// `string_hashed`: Keras `Hashing`.
    case stringHashed(numBins: Int, outputMode: CategoricalOutput)
    /// `text`: Keras `TextVectorization` (``TextVectorizer``), as
    /// `FeatureSpace.feature(dtype="string", preprocessor=TextVectorization(...))`.
    case text(TextOptions)

    /// Whether the preprocessed value is an integer (a lookup index, bin or hash), which a
    /// cross can take.
    public var isCategorical: Bool {
        switch self {
        case .float, .floatRescaled, .floatNormalized, .text: false
        default: true
        }
    }

    /// Whether the feature reads numbers (and so may take a `fill`).
    public var isNumeric: Bool {
        switch self {
        case .float, .floatRescaled, .floatNormalized, .floatDiscretized: true
        default: false
        }
    }
}

/// One feature: a CSV column, its type, and (numeric types) its fill for missing values.
public struct FeatureConfig: Codable, Equatable, Sendable {
    public var name: String
    public var type: FeatureType
    public var fill: Fill?

    public init(name: String, type: FeatureType, fill: Fill? = nil) {
        self.name = name; self.type = type; self.fill = fill
    }
}

/// A feature cross (Keras `FeatureSpace.cross`): the preprocessed features hashed together
/// by `HashedCrossing` into `crossingDim` bins. Named `a_X_b` as in Keras.
public struct CrossConfig: Codable, Equatable, Sendable {
    public var features: [String]
    public var crossingDim: Int
    public var outputMode: CategoricalOutput

    public init(features: [String], crossingDim: Int, outputMode: CategoricalOutput = .oneHot) {
        self.features = features; self.crossingDim = crossingDim; self.outputMode = outputMode
    }

    /// Keras's name for the cross: the feature names joined by `_X_`.
    public var name: String { features.joined(separator: "_X_") }
}

/// A whole `FeatureSpace`: its features (in the order written), crosses and output mode
/// (`concat`: one vector; `dict`: one model input per feature and cross).
public struct FeatureSpaceConfig: Codable, Equatable, Sendable {
    public enum OutputMode: String, Codable, Sendable, CaseIterable { case concat, dict }
    public var features: [FeatureConfig]
    public var crosses: [CrossConfig]
    public var outputMode: OutputMode

    public init(features: [FeatureConfig], crosses: [CrossConfig] = [], outputMode: OutputMode = .concat) {
        self.features = features; self.crosses = crosses; self.outputMode = outputMode
    }
}

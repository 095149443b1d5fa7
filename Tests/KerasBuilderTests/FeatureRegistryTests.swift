import KerasData
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Every FeatureSpace feature type builds by name with Keras's defaults
/// (`FeatureSpace.string_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot")`,
/// `hashing_dim`/`num_discretization_bins`/`crossing_dim` 32 for names given bare), and a
/// `feature_space` section reads into the data module's config.
final class FeatureRegistryTests: XCTestCase {
    func config(_ featureSpace: String) throws -> FeatureSpaceConfig {
        let text = "data:\n  preprocess:\n    feature_space:\n\(featureSpace)\nmodel:\n  input_shape: [4]\n  layers: [{Dense: 2}]\n"
        let spec = try Spec.parse(text: text, file: "t.yaml")
        return try FeatureSpaceBuilder.config(try XCTUnwrap(spec.data?.preprocess.featureSpace))
    }

    func testBareNamesTakeKerasDefaults() throws {
        let c = try config("""
              features: {a: float, b: float_rescaled, c: float_normalized, d: float_discretized, e: integer_categorical,
                         f: string_categorical, g: integer_hashed, h: string_hashed}
              crosses: [[e, f]]
        """)
        let types = Dictionary(uniqueKeysWithValues: c.features.map { ($0.name, $0.type) })
        XCTAssertEqual(types["a"], .float)
        XCTAssertEqual(types["b"], .floatRescaled(scale: 1, offset: 0))
        XCTAssertEqual(types["c"], .floatNormalized)
        XCTAssertEqual(types["d"], .floatDiscretized(numBins: 32, binBoundaries: nil, outputMode: .oneHot))
        XCTAssertEqual(types["e"], .integerCategorical(maxTokens: nil, numOOVIndices: 1, outputMode: .oneHot))
        XCTAssertEqual(types["f"], .stringCategorical(maxTokens: nil, numOOVIndices: 1, outputMode: .oneHot))
        XCTAssertEqual(types["g"], .integerHashed(numBins: 32, outputMode: .oneHot))
        XCTAssertEqual(types["h"], .stringHashed(numBins: 32, outputMode: .oneHot))
        XCTAssertEqual(c.crosses, [CrossConfig(features: ["e", "f"], crossingDim: 32, outputMode: .oneHot)])
        XCTAssertEqual(c.outputMode, .concat)
        XCTAssertEqual(FeatureRegistry.table.canonicalNames.count, 9, "the eight FeatureSpace types and text")
    }

    func testArgumentsSpaceDefaultsAndFill() throws {
        let c = try config("""
              features:
                a: {float_discretized: {bin_boundaries: [0, 1.5]}}
                b: {string_hashed: 7}
                c: integer_hashed
                d: {float_normalized: {fill: 2.5}}
                e: {text: {output_mode: tf_idf, ngrams: 2, standardize: null}}
              hashing_dim: 5
              crosses: [{features: [a, b], crossing_dim: 4, output_mode: int}]
              output_mode: dict
        """)
        XCTAssertEqual(c.features[0].type, .floatDiscretized(numBins: 3, binBoundaries: [0, 1.5], outputMode: .oneHot))
        XCTAssertEqual(c.features[1].type, .stringHashed(numBins: 7, outputMode: .oneHot))
        XCTAssertEqual(c.features[2].type, .integerHashed(numBins: 5, outputMode: .oneHot))
        XCTAssertEqual(c.features[3].fill, .value(2.5))
        XCTAssertEqual(c.features[4].type, .text(TextOptions(standardize: nil, ngrams: [1, 2], outputMode: .tfIdf)))
        XCTAssertEqual(c.crosses.first?.outputMode, .int)
    }

    func testBadFeatureArgumentsAreLocated() throws {
        func message(_ fs: String) -> String {
            do { _ = try config(fs); return "" } catch { return "\(error)" }
        }
        let m = message("      features: {a: {string_categorical: {max_tokens: 1}}}")
        XCTAssertTrue(m.contains("t.yaml:4:55: data.preprocess.feature_space.features.a (string_categorical): max_tokens 1 leaves no room"), m)
        XCTAssertTrue(message("      features: {a: {float: {fill: avg}}}").contains("fill must be mean, median, zero or a number, got 'avg'"))
        XCTAssertTrue(message("      features: {a: string_hashed}\n      crosses: [[a, z]]").contains("cross names 'z', which is not a feature"))
        XCTAssertTrue(message("      features: {a: {text: {output_mode: count, output_sequence_length: 4}}}").contains("output_sequence_length must not be set"))
        XCTAssertTrue(message("      features: {}").contains("features must be a map from column name to feature type"))
    }
}

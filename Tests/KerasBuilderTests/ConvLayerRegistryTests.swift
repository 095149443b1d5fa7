import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// The convolution, pooling, normalization, reshaping and noise layers build from YAML
/// with Keras's arguments, and whole specs print Keras's `model.summary()` (fixture from
/// real Keras: Fixtures/gen_conv_models.py → conv_models.json).
final class ConvLayerRegistryTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Builds a one-layer model `yaml` on `input`; returns the layer and its output shape.
    func build(_ yaml: String, input: [Int]) throws -> (layer: any Layer, shape: [Int]) {
        let text = "model:\n  input_shape: \(input)\n  layers:\n    - \(yaml)\n"
        let model = try ModelBuilder.build(try Spec.parse(text: text, file: "t.yaml"))
        let layer = try XCTUnwrap(model.layers.first)
        let shape = try XCTUnwrap(layer as? any UnaryLayer).outputShape(for: input)
        return (layer, shape)
    }

    /// Asserts building `yaml` fails with a message containing `fragment`.
    func assertFails(_ yaml: String, input: [Int] = [8, 8, 3], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try build(yaml, input: input), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(fragment), "'\(e)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    /// Every new registry entry, with its defaults: (yaml, input shape, output shape, params).
    static let defaults: [(String, [Int], [Int], Int)] = [
        ("Conv1D: {filters: 4, kernel_size: 3}", [10, 2], [8, 4], 28),
        ("Conv2D: {filters: 4, kernel_size: 3}", [8, 8, 3], [6, 6, 4], 112),
        ("Conv1DTranspose: {filters: 4, kernel_size: 3}", [10, 2], [12, 4], 28),
        ("Conv2DTranspose: {filters: 4, kernel_size: 3}", [8, 8, 3], [10, 10, 4], 112),
        ("DepthwiseConv1D: 3", [10, 2], [8, 2], 8),
        ("DepthwiseConv2D: 3", [8, 8, 3], [6, 6, 3], 30),
        ("SeparableConv1D: {filters: 4, kernel_size: 3}", [10, 2], [8, 4], 18),
        ("SeparableConv2D: {filters: 4, kernel_size: 3}", [8, 8, 3], [6, 6, 4], 43),
        ("MaxPooling1D", [10, 2], [5, 2], 0),
        ("MaxPooling2D", [8, 8, 3], [4, 4, 3], 0),
        ("AveragePooling1D: 2", [10, 2], [5, 2], 0),
        ("AveragePooling2D: 2", [8, 8, 3], [4, 4, 3], 0),
        ("GlobalMaxPooling1D", [10, 2], [2], 0),
        ("GlobalMaxPooling2D", [8, 8, 3], [3], 0),
        ("GlobalAveragePooling1D", [10, 2], [2], 0),
        ("GlobalAveragePooling2D", [8, 8, 3], [3], 0),
        ("BatchNormalization", [8, 8, 3], [8, 8, 3], 12),
        ("LayerNormalization", [10, 2], [10, 2], 4),
        ("GroupNormalization: 2", [10, 4], [10, 4], 8),
        ("UnitNormalization", [10, 2], [10, 2], 0),
        ("ZeroPadding1D", [10, 2], [12, 2], 0),
        ("ZeroPadding2D", [8, 8, 3], [10, 10, 3], 0),
        ("Cropping1D", [10, 2], [8, 2], 0),
        ("Cropping2D", [8, 8, 3], [8, 8, 3], 0),
        ("ZeroPadding3D", [4, 5, 6, 2], [6, 7, 8, 2], 0),
        ("Cropping3D", [4, 5, 6, 2], [2, 3, 4, 2], 0),
        ("UpSampling1D", [10, 2], [20, 2], 0),
        ("UpSampling2D", [8, 8, 3], [16, 16, 3], 0),
        ("Permute: [2, 1]", [10, 2], [2, 10], 0),
        ("RepeatVector: 3", [5], [3, 5], 0),
        ("SpatialDropout1D: 0.5", [10, 2], [10, 2], 0),
        ("SpatialDropout2D: 0.5", [8, 8, 3], [8, 8, 3], 0),
        ("GaussianNoise: 0.1", [5], [5], 0),
        ("GaussianDropout: 0.1", [5], [5], 0),
        ("ActivityRegularization", [5], [5], 0),
    ]

    func testEveryNewEntryBuildsWithDefaults() throws {
        var names = Set<String>()
        for (yaml, input, output, params) in Self.defaults {
            let (layer, shape) = try build(yaml, input: input)
            XCTAssertEqual(shape, output, yaml)
            XCTAssertEqual(layer.parameters.reduce(0) { $0 + $1.count }, params, yaml)
            names.insert(layer.typeName)
        }
        let families = LayerRegistry.convolution + LayerRegistry.pooling + LayerRegistry.normalization
            + LayerRegistry.reshaping + LayerRegistry.regularization
        XCTAssertEqual(names, Set(families.map { $0.names[0] }), "every canonical name built once")
        for alias in ["Convolution2D", "MaxPool2D", "AvgPool1D: 2", "GlobalAvgPool2D", "GlobalMaxPool1D", "SeparableConvolution2D: {filters: 1, kernel_size: 1}"] {
            XCTAssertNoThrow(try build(alias.hasPrefix("Convolution2D") ? "Convolution2D: {filters: 1, kernel_size: 1}" : alias,
                                       input: alias.contains("1D") ? [10, 2] : [8, 8, 3]), alias)
        }
    }

    func testTypicalFlags() throws {
        var (l, s) = try build("Conv2D: {filters: 6, kernel_size: [3, 1], strides: 2, padding: same, groups: 3, use_bias: false, activation: relu, kernel_initializer: he_normal, kernel_regularizer: {l2: 0.01}}", input: [9, 9, 3])
        XCTAssertEqual(s, [5, 5, 6])
        let conv = try XCTUnwrap(l as? Convolution)
        XCTAssertEqual(conv.config.groups, 3)
        XCTAssertEqual(conv.config.activation, .relu())
        XCTAssertEqual(conv.config.kernelInitializer, .heNormal)
        XCTAssertNil(conv.bias)
        XCTAssertEqual(conv.kernel?.shape, [3, 1, 1, 6])
        XCTAssertNotNil(conv.kernel?.regularizer)
        (_, s) = try build("Conv1D: {filters: 2, kernel_size: 3, padding: causal, dilation_rate: 2}", input: [7, 1])
        XCTAssertEqual(s, [7, 2])
        (_, s) = try build("Conv2DTranspose: {filters: 2, kernel_size: 3, strides: 2, padding: same, output_padding: 1}", input: [4, 4, 1])
        XCTAssertEqual(s, [8, 8, 2])
        (_, s) = try build("MaxPooling2D: {pool_size: 3, strides: 1, padding: same}", input: [5, 5, 2])
        XCTAssertEqual(s, [5, 5, 2])
        (_, s) = try build("AveragePooling1D: {pool_size: 3, strides: 2}", input: [9, 2])
        XCTAssertEqual(s, [4, 2])
        (_, s) = try build("GlobalAveragePooling2D: {keepdims: true, data_format: channels_last}", input: [5, 5, 2])
        XCTAssertEqual(s, [1, 1, 2])
        (l, _) = try build("BatchNormalization: {momentum: 0.9, epsilon: 0.01, center: false, gamma_initializer: zeros}", input: [4])
        let bn = try XCTUnwrap(l as? BatchNormalization)
        XCTAssertEqual(bn.config.momentum, 0.9)
        XCTAssertEqual(bn.config.epsilon, 0.01)
        XCTAssertNil(bn.beta)
        XCTAssertEqual(bn.parameters.filter { !$0.trainable }.count, 2)
        (_, s) = try build("ZeroPadding2D: [[1, 2], [3, 4]]", input: [5, 5, 1])
        XCTAssertEqual(s, [8, 12, 1])
        (_, s) = try build("ZeroPadding2D: [1, 2]", input: [5, 5, 1])
        XCTAssertEqual(s, [7, 9, 1])
        (_, s) = try build("Cropping2D: {cropping: [[1, 0], [0, 2]]}", input: [5, 5, 1])
        XCTAssertEqual(s, [4, 3, 1])
        (_, s) = try build("Cropping1D: [0, 3]", input: [5, 1])
        XCTAssertEqual(s, [2, 1])
        (_, s) = try build("UpSampling2D: {size: [1, 3], interpolation: nearest}", input: [2, 2, 1])
        XCTAssertEqual(s, [2, 6, 1])
        (_, s) = try build("LayerNormalization: {axis: [-2, -1]}", input: [3, 4])
        XCTAssertEqual(s, [3, 4])
        // rms_scaling: gamma only (Keras drops beta); a leading axis: gamma of that axis.
        var (layer, _) = try build("LayerNormalization: {rms_scaling: true}", input: [3, 4])
        XCTAssertEqual(layer.parameters.map(\.name), ["layer_normalization/gamma"])
        (layer, s) = try build("LayerNormalization: {axis: 1, center: false}", input: [3, 4])
        XCTAssertEqual(layer.parameters.map(\.shape), [[3]])
        XCTAssertEqual(s, [3, 4])
    }

    func testBadArgumentsAreLocatedErrors() {
        assertFails("Conv2D: {filters: 4, kernel_size: 3, data_format: channels_first}", "t.yaml:4:57: model.layers[0] (Conv2D): data_format 'channels_first' is not supported")
        assertFails("Conv2D: {filters: 4, kernel_size: 3, padding: causal}", "padding must be one of 'valid', 'same', got 'causal'")
        assertFails("Conv2D: {filters: 4, kernel_size: [3, 3, 3]}", "kernel_size must be a positive integer or a list of 2 positive integers, got a list of 3")
        assertFails("Conv2D: 32", "missing required argument 'kernel_size' for Conv2D")
        assertFails("Conv2D: {filters: 4, kernel_size: 3, groups: 3}", "filters (4) must be divisible by groups (3)")
        assertFails("Conv2D: {filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2}", "strides > 1 is not supported together with dilation_rate > 1")
        assertFails("Conv2D: {filters: 4, kernel_sise: 3}", "did you mean 'kernel_size'?")
        assertFails("Conv2D: {filters: 4, kernel_size: 3, kernel_constraint: max_nrm}", "unknown constraint 'max_nrm'; did you mean 'max_norm'?")
        assertFails("AveragePooling2D", "missing required argument 'pool_size' for AveragePooling2D")
        assertFails("MaxPooling2D: {pool_size: 2, padding: SAME}", "did you mean 'same'?")
        assertFails("BatchNormalization: {renorm: true}", "renorm is not supported")
        assertFails("UpSampling2D: {interpolation: bilinear}", "interpolation 'bilinear' is not supported")
        assertFails("ZeroPadding2D: [[1, 2], 3]", "padding must be a non-negative integer, a list of 2 (height, width) or a list of 2 pairs")
        assertFails("Permute: [1, 3]", "dims must be a permutation of 1...2")
        assertFails("SpatialDropout2D: 1.0", "rate must be a number in [0, 1), got 1.0")
        assertFails("GaussianNoise", "missing required argument 'stddev' for GaussianNoise")
        // Shape problems from the engine are located at the layer too.
        assertFails("Conv2D: {filters: 4, kernel_size: 9}", "t.yaml:4:7: model.layers[0] (Conv2D): Conv2D window (9, 9)")
        assertFails("Conv2D: {filters: 4, kernel_size: 3}", input: [784], "expects input of shape (None, height, width, channels), got (None, 784)")
    }

    /// Whole specs against real Keras: parameter totals (trainable and not), every layer's
    /// output shape and parameter count, and the summary text itself.
    func testSpecsMatchKerasSummary() throws {
        let url = Self.root.appendingPathComponent("Tests/KerasBuilderTests/Fixtures/conv_models.json")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let path = try XCTUnwrap(c["spec"] as? String)
            let spec = try Spec.load(path: Self.root.appendingPathComponent(path).path)
            let model = try ModelBuilder.build(spec)
            let params = model.parameters
            XCTAssertEqual(params.reduce(0) { $0 + $1.count }, c["total"] as? Int, path)
            XCTAssertEqual(params.filter(\.trainable).reduce(0) { $0 + $1.count }, c["trainable"] as? Int, path)
            XCTAssertEqual(params.filter { !$0.trainable }.reduce(0) { $0 + $1.count }, c["non_trainable"] as? Int, path)
            let layers = try XCTUnwrap(c["layers"] as? [[String: Any]])
            XCTAssertEqual(model.layers.count, layers.count, path)
            for (layer, k) in zip(model.layers, layers) {
                XCTAssertEqual(layer.typeName, k["class"] as? String, path)
                XCTAssertEqual(layer.name, k["name"] as? String, path)
                XCTAssertEqual(layer.parameters.reduce(0) { $0 + $1.count }, k["params"] as? Int, "\(path) \(layer.name)")
            }
            let want = try XCTUnwrap(c["summary"] as? String)
            let got = model.summary()
            if got != want {
                let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
                let i = (0..<Swift.min(g.count, w.count)).first { g[$0] != w[$0] } ?? Swift.min(g.count, w.count)
                XCTFail("\(path) summary line \(i + 1):\n  got:   \(i < g.count ? g[i] : "<none>")\n  keras: \(i < w.count ? w[i] : "<none>")")
            }
        }
    }
}

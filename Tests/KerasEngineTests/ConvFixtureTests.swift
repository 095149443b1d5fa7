import XCTest
@testable import KerasEngine

/// Every case of `layers_conv.json` (real Keras 3, TF backend): the layer is built on the
/// case's input, given the case's weights, and must reproduce Keras's outputs, the input
/// gradient, every trainable weight's gradient and any weight the call changed
/// (BatchNormalization's moving statistics).
final class ConvFixtureTests: XCTestCase {
    /// Cases whose layer the engine does not implement (yet).
    static let unsupported: Set<String> = ["rms_normalization", "group_normalization_2", "unit_normalization",
                                           "upsampling2d_2x3_bilinear"]

    func testLayersMatchKeras() throws {
        let cases = try KerasReference.cases("layers_conv")
        var ran: [String] = []
        for c in cases {
            let name = c["name"] as! String
            if Self.unsupported.contains(name) { continue }
            guard let layer = try Self.makeLayer(c["class"] as! String, c["config"] as! [String: Any]) else {
                XCTFail("\(name): no maker for \(c["class"]!)"); continue
            }
            try check(name, layer, c)
            ran.append(name)
        }
        XCTAssertEqual(ran.count, cases.count - Self.unsupported.count, "ran \(ran)")
        XCTAssertGreaterThan(ran.count, 60)
        print("layers_conv: matched Keras on \(ran.count) cases")
    }

    /// `layer_norm.json` (gen_layer_norm.py): LayerNormalization over leading, several and
    /// non-contiguous axes, without center or scale, and with rms_scaling.
    func testLayerNormalizationMatchesKeras() throws {
        let cases = try KerasReference.cases("layer_norm")
        for c in cases {
            let layer = try XCTUnwrap(Self.makeLayer(c["class"] as! String, c["config"] as! [String: Any]))
            try check(c["name"] as! String, layer, c)
            XCTAssertEqual(layer.parameters.reduce(0) { $0 + $1.count }, c["param_count"] as? Int, "\(c["name"]!) parameter count")
        }
        XCTAssertEqual(cases.count, 8)
    }

    private func check(_ name: String, _ layer: any UnaryLayer, _ c: [String: Any]) throws {
        let x = KerasReference.tensor((c["inputs"] as! [Any])[0])!
        let want = KerasReference.tensor((c["outputs"] as! [Any])[0])!
        let w = KerasReference.tensor((c["output_weights"] as! [Any])[0])!
        let training = (c["call_kwargs"] as? [String: Any])?["training"] as? Bool ?? false
        var ctx = BuildContext(rng: RNG(seed: 1))
        let outShape = try layer.build(inputShapes: [Array(x.shape.dropFirst())], context: &ctx)[0]
        XCTAssertEqual([x.shape[0]] + outShape, want.shape, "\(name): output shape")
        let weights = c["weights"] as! [[String: Any]]
        XCTAssertEqual(layer.parameters.count, weights.count, "\(name): weight count")
        for (p, wd) in zip(layer.parameters, weights) {
            let v = KerasReference.tensor(wd["value"])!
            XCTAssertEqual(p.count, v.count, "\(name): \(p.name) size vs Keras \(wd["name"]!) \(v.shape)")
            XCTAssertEqual(p.trainable, wd["trainable"] as? Bool, "\(name): \(p.name) trainable")
            p.value = v.viewed(as: p.shape)
        }
        // The input is watched as a parameter so one tape pass yields every gradient.
        let input = Parameter(name: "input", value: x)
        let trainable = layer.parameters.filter(\.trainable)
        let tape = Tape()
        for p in trainable + [input] { tape.watch(p) }
        let y = layer(input.value, training: training)
        KerasReference.assertClose(y.detached, want, tolerance: 1e-5, "\(name) output")
        for (p, wd) in zip(layer.parameters, weights) {
            if let after = KerasReference.tensor(wd["value_after_call"]) {
                KerasReference.assertClose(p.value.detached, after, tolerance: 1e-5, "\(name) \(p.name) after call")
            }
        }
        let gp = tape.gradients(of: sum(y * w), for: trainable + [input])
        if let wantGX = KerasReference.tensor((c["grad_inputs"] as! [Any])[0]) {
            KerasReference.assertClose(gp[input]!, wantGX, tolerance: 1e-4, "\(name) input gradient")
        }
        for (p, wd) in zip(layer.parameters, weights) where p.trainable {
            guard let wantG = KerasReference.tensor(wd["grad"]) else { continue }
            KerasReference.assertClose(gp[p]!, wantG, tolerance: 1e-4, "\(name) \(p.name) gradient")
        }
    }

    // MARK: - A tiny maker from Keras configs (the real one lives in KerasBuilder).

    static func ints(_ v: Any?) -> [Int] {
        if let i = v as? Int { return [i] }
        if let a = v as? [Int] { return a }
        return []
    }

    static func pairs(_ v: Any?, rank: Int) -> [(before: Int, after: Int)] {
        if let a = v as? [[Int]] { return a.map { ($0[0], $0[1]) } }
        let a = ints(v)
        return rank == 1 ? [(a[0], a[1])] : a.map { ($0, $0) }
    }

    static func makeLayer(_ cls: String, _ cfg: [String: Any]) throws -> (any UnaryLayer)? {
        let rank = cls.contains("1D") ? 1 : 2
        let padding = ConvPadding(rawValue: cfg["padding"] as? String ?? "valid") ?? .valid
        let act = Activation.byName[cfg["activation"] as? String ?? "linear"] ?? .linear
        switch cls {
        case "Conv1D", "Conv2D":
            var c = Convolution.Config(rank: rank, filters: cfg["filters"] as! Int, kernelSize: ints(cfg["kernel_size"]), activation: act)
            c.strides = ints(cfg["strides"]); c.padding = padding; c.dilationRate = ints(cfg["dilation_rate"])
            c.groups = cfg["groups"] as! Int; c.useBias = cfg["use_bias"] as! Bool
            return Convolution(c)
        case "Conv1DTranspose", "Conv2DTranspose":
            var c = ConvolutionTranspose.Config(rank: rank, filters: cfg["filters"] as! Int, kernelSize: ints(cfg["kernel_size"]), activation: act)
            c.strides = ints(cfg["strides"]); c.padding = padding; c.dilationRate = ints(cfg["dilation_rate"])
            c.useBias = cfg["use_bias"] as! Bool
            if cfg["output_padding"] is NSNull == false, cfg["output_padding"] != nil { c.outputPadding = ints(cfg["output_padding"]) }
            return ConvolutionTranspose(c)
        case "DepthwiseConv1D", "DepthwiseConv2D":
            var c = DepthwiseConvolution.Config(rank: rank, kernelSize: ints(cfg["kernel_size"]),
                                                depthMultiplier: cfg["depth_multiplier"] as! Int, activation: act)
            c.strides = ints(cfg["strides"]); c.padding = padding; c.dilationRate = ints(cfg["dilation_rate"])
            c.useBias = cfg["use_bias"] as! Bool
            return DepthwiseConvolution(c)
        case "SeparableConv1D", "SeparableConv2D":
            var c = SeparableConvolution.Config(rank: rank, filters: cfg["filters"] as! Int, kernelSize: ints(cfg["kernel_size"]),
                                                depthMultiplier: cfg["depth_multiplier"] as! Int, activation: act)
            c.strides = ints(cfg["strides"]); c.padding = padding; c.dilationRate = ints(cfg["dilation_rate"])
            c.useBias = cfg["use_bias"] as! Bool
            return SeparableConvolution(c)
        case "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D":
            return Pooling(.init(kind: cls.hasPrefix("Max") ? .max : .average, rank: rank, poolSize: ints(cfg["pool_size"]),
                                 strides: cfg["strides"] is NSNull ? nil : ints(cfg["strides"]), padding: padding))
        case "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D":
            return GlobalPooling(.init(kind: cls.contains("Max") ? .max : .average, rank: rank, keepdims: cfg["keepdims"] as! Bool))
        case "BatchNormalization":
            var c = BatchNormalization.Config()
            c.axis = cfg["axis"] as! Int; c.momentum = Float(cfg["momentum"] as! Double); c.epsilon = Float(cfg["epsilon"] as! Double)
            c.center = cfg["center"] as! Bool; c.scale = cfg["scale"] as! Bool
            return BatchNormalization(c)
        case "LayerNormalization":
            var c = LayerNormalization.Config(axis: ints(cfg["axis"]))
            c.epsilon = Float(cfg["epsilon"] as! Double); c.center = cfg["center"] as! Bool; c.scale = cfg["scale"] as! Bool
            c.rmsScaling = cfg["rms_scaling"] as? Bool ?? false
            return LayerNormalization(c)
        case "ZeroPadding1D", "ZeroPadding2D":
            return SpatialPadding(.init(rank: rank, crop: false, amounts: pairs(cfg["padding"], rank: rank)))
        case "Cropping1D", "Cropping2D":
            return SpatialPadding(.init(rank: rank, crop: true, amounts: pairs(cfg["cropping"], rank: rank)))
        case "UpSampling1D", "UpSampling2D":
            return UpSampling(.init(rank: rank, size: ints(cfg["size"])))
        case "Permute": return Permute(dims: ints(cfg["dims"]))
        case "RepeatVector": return RepeatVector(n: cfg["n"] as! Int)
        case "Flatten": return Flatten()
        case "Reshape": return Reshape(ints(cfg["target_shape"]))
        case "Dropout": return Dropout(rate: Float(cfg["rate"] as! Double))
        default: return nil
        }
    }
}

import XCTest
@testable import KerasEngine

/// Numerical gradient checks (input and every parameter) for the convolution,
/// pooling, normalization and reshaping layers.
final class ConvGradientTests: XCTestCase {
    /// Builds `layer` for `x` (batch axis included) and gradient-checks it.
    func checkLayer(_ layer: any UnaryLayer, _ x: Tensor, training: Bool = false, seed: UInt64 = 3,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        var ctx = BuildContext(rng: RNG(seed: seed))
        _ = try layer.build(inputShapes: [Array(x.shape.dropFirst())], context: &ctx)
        // Give zero-initialised biases/betas some value so their paths are non-trivial.
        for p in layer.parameters where p.trainable {
            p.value = GradientCheck.random(p.shape, seed: seed + UInt64(p.count), scale: 0.5)
        }
        let trainable = layer.parameters.filter(\.trainable)
        let report = GradientCheck.check(inputs: [x], parameters: trainable, eps: 1e-2, tolerance: 2e-2, file: file, line: line) {
            layer($0[0], training: training)
        }
        XCTAssertEqual(report.checked, x.count + trainable.reduce(0) { $0 + $1.count }, file: file, line: line)
    }

    /// Distinct values 0.05 apart in random order (no max-pool ties or kinks within eps).
    func distinct(_ shape: [Int], seed: UInt64 = 5) -> Tensor {
        var rng = RNG(seed: seed)
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, data: rng.permutation(n).map { Float($0) * 0.05 - Float(n) * 0.025 })
    }

    func testConvolutionGradients() throws {
        let x2 = GradientCheck.random([2, 5, 4, 2], seed: 11), x1 = GradientCheck.random([2, 7, 3], seed: 12)
        func conv(_ rank: Int, _ f: Int, _ k: [Int], _ edit: (inout Convolution.Config) -> Void = { _ in }) -> Convolution {
            var c = Convolution.Config(rank: rank, filters: f, kernelSize: k, activation: .tanh)
            edit(&c)
            return Convolution(c)
        }
        try checkLayer(conv(2, 3, [3]), x2)
        try checkLayer(conv(2, 3, [3, 2]) { $0.padding = .same; $0.strides = [2] }, x2)
        try checkLayer(conv(2, 2, [2]) { $0.dilationRate = [2]; $0.padding = .same }, x2)
        try checkLayer(conv(2, 4, [2]) { $0.groups = 2; $0.useBias = false }, x2)
        try checkLayer(conv(2, 3, [1]), x2)  // pointwise fast path
        try checkLayer(conv(1, 3, [3]) { $0.padding = .causal; $0.dilationRate = [2] }, x1)
        try checkLayer(conv(1, 2, [2]) { $0.strides = [2]; $0.padding = .same }, x1)
    }

    /// A first layer (few taps, 16·k filters, its input not differentiated) gets its kernel and
    /// bias gradients from `kk_conv_dk_small`: central differences on the parameters (the
    /// checker differentiates them with the input untracked), both with the taps a constant
    /// (9, 27) and not, with padding, strides and dilation; and, with a fused ReLU, the same
    /// gradients as the im2col path that runs when the input is tracked.
    func testFirstLayerKernelGradients() throws {
        func conv(_ f: Int, _ k: [Int], _ activation: Activation = .tanh, _ edit: (inout Convolution.Config) -> Void = { _ in }) -> Convolution {
            var c = Convolution.Config(rank: 2, filters: f, kernelSize: k, activation: activation)
            edit(&c)
            return Convolution(c)
        }
        let cases: [(Convolution, [Int])] = [
            (conv(16, [3]), [2, 6, 5, 1]),
            (conv(32, [3]), [2, 5, 6, 3]),
            (conv(16, [2, 3]) { $0.padding = .same; $0.strides = [2] }, [2, 7, 6, 2]),
            (conv(16, [2]) { $0.dilationRate = [2]; $0.padding = .same }, [2, 5, 5, 1]),
        ]
        for (layer, shape) in cases {
            try checkLayer(layer, GradientCheck.random(shape, seed: 23))
        }
        let layer = conv(32, [3], .relu())
        let x = GradientCheck.random([3, 8, 7, 1], seed: 24)
        var ctx = BuildContext(rng: RNG(seed: 4))
        _ = try layer.build(inputShapes: [[8, 7, 1]], context: &ctx)
        for p in layer.parameters { p.value = GradientCheck.random(p.shape, seed: UInt64(p.count), scale: 0.5) }
        let w = GradientCheck.random([3, 6, 5, 32], seed: 25)
        func gradients(trackingInput: Bool) -> [[Float]] {
            let tape = Tape()
            for p in layer.parameters { tape.watch(p) }
            let input = trackingInput ? tape.watch(x) : x
            let g = tape.gradients(of: sum(layer(input, training: false) * w), for: layer.parameters)
            return layer.parameters.map { g[$0]?.scalars ?? [] }
        }
        let direct = gradients(trackingInput: false), columns = gradients(trackingInput: true)
        for (a, b) in zip(direct, columns) {
            XCTAssertEqual(a.count, b.count)
            for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-4 * Swift.max(1, abs(v))) }
        }
    }

    func testTransposeDepthwiseSeparableGradients() throws {
        let x2 = GradientCheck.random([2, 3, 4, 2], seed: 13), x1 = GradientCheck.random([2, 5, 2], seed: 14)
        var t = ConvolutionTranspose.Config(rank: 2, filters: 3, kernelSize: [3], activation: .tanh)
        t.strides = [2]; t.padding = .same
        try checkLayer(ConvolutionTranspose(t), x2)
        t.padding = .valid; t.outputPadding = [1]
        try checkLayer(ConvolutionTranspose(t), x2)
        try checkLayer(ConvolutionTranspose(.init(rank: 1, filters: 2, kernelSize: [3])), x1)
        var d = DepthwiseConvolution.Config(rank: 2, kernelSize: [2], depthMultiplier: 2)
        d.padding = .same
        try checkLayer(DepthwiseConvolution(d), x2)
        try checkLayer(DepthwiseConvolution(.init(rank: 1, kernelSize: [3])), x1)
        try checkLayer(SeparableConvolution(.init(rank: 2, filters: 3, kernelSize: [2], depthMultiplier: 2)), x2)
        try checkLayer(SeparableConvolution(.init(rank: 1, filters: 2, kernelSize: [2])), x1)
    }

    func testPoolingGradients() throws {
        let x2 = distinct([2, 5, 5, 2]), x1 = distinct([2, 7, 2])
        for kind in [Pooling.Kind.max, .average] {
            try checkLayer(Pooling(.init(kind: kind, rank: 2)), x2)
            try checkLayer(Pooling(.init(kind: kind, rank: 2, poolSize: [3], strides: [2], padding: .same)), x2)
            try checkLayer(Pooling(.init(kind: kind, rank: 1, poolSize: [3], strides: [2], padding: .same)), x1)
            try checkLayer(GlobalPooling(.init(kind: kind, rank: 2, keepdims: true)), x2)
            try checkLayer(GlobalPooling(.init(kind: kind, rank: 1)), x1)
        }
    }

    /// Keras's default max pooling (2×2, strides 2, valid; a vectorized C kernel) against the
    /// definition: the first largest cell of each window wins, ties included, and takes the
    /// whole gradient; the odd last row and column get none.
    func testDefaultMaxPoolingMatchesTheDefinition() {
        let (n, h, w, c) = (3, 5, 7, 11)
        var rng = RNG(seed: 8)
        let x = Tensor(shape: [n, h, w, c], data: (0..<(n * h * w * c)).map { _ in Float(rng.next() % 4) })   // many ties
        let g = ConvGeometry(inH: h, inW: w, inC: c, kh: 2, kw: 2, sh: 2, sw: 2, outH: 2, outW: 3, outC: c)
        let tape = Tape()
        let xt = tape.watch(x)
        let y = maxPool2d(xt, geometry: g)
        let dy = GradientCheck.random(y.shape, seed: 9)
        let dx = tape.gradients(of: sum(y * dy), for: [xt])[0]
        var want = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for oy in 0..<2 { for ox in 0..<3 { for k in 0..<c {
            var best = -Float.infinity, at = -1
            for ky in 0..<2 { for kx in 0..<2 {
                let i = ((b * h + 2 * oy + ky) * w + 2 * ox + kx) * c + k
                if x[flat: i] > best { best = x[flat: i]; at = i }
            } }
            let o = ((b * 2 + oy) * 3 + ox) * c + k
            XCTAssertEqual(y[flat: o], best)
            want[at] = dy[flat: o]
        } } } }
        XCTAssertEqual(dx.scalars, want)
    }

    func testNormalizationGradients() throws {
        let x = GradientCheck.random([4, 3, 3], seed: 15, scale: 2)
        try checkLayer(BatchNormalization(), x, training: true)
        try checkLayer(BatchNormalization(), x, training: false)
        var noAffine = BatchNormalization.Config()
        noAffine.center = false; noAffine.scale = false
        try checkLayer(BatchNormalization(noAffine), x, training: true)
        try checkLayer(LayerNormalization(), x)
        try checkLayer(LayerNormalization(.init(axis: [1, 2])), x)
        try checkLayer(LayerNormalization(.init(axis: [1])), x)
        var rms = LayerNormalization.Config(axis: [-1])
        rms.rmsScaling = true
        try checkLayer(LayerNormalization(rms), x)
        rms.axis = [1]
        try checkLayer(LayerNormalization(rms), x)
    }

    func testReshapingGradients() throws {
        let x2 = GradientCheck.random([2, 4, 3, 2], seed: 16), x1 = GradientCheck.random([2, 5, 3], seed: 17)
        try checkLayer(SpatialPadding(.init(rank: 2, crop: false, amounts: [(1, 0), (2, 1)])), x2)
        try checkLayer(SpatialPadding(.init(rank: 2, crop: true, amounts: [(1, 2), (0, 1)])), x2)
        try checkLayer(SpatialPadding(.init(rank: 1, crop: false, amounts: [(2, 1)])), x1)
        try checkLayer(SpatialPadding(.init(rank: 1, crop: true, amounts: [(1, 2)])), x1)
        try checkLayer(UpSampling(.init(rank: 2, size: [2, 3])), x2)
        try checkLayer(UpSampling(.init(rank: 1, size: [3])), x1)
        try checkLayer(Permute(dims: [3, 1, 2]), x2)
        try checkLayer(Permute(dims: [2, 1]), x1)
        try checkLayer(RepeatVector(n: 3), GradientCheck.random([2, 4], seed: 18))
    }

    func testNoiseLayers() throws {
        let x = GradientCheck.random([4, 6, 5, 8], seed: 19)
        var ctx = BuildContext(rng: RNG(seed: 2))
        // Identity in inference.
        for layer: any UnaryLayer in [SpatialDropout(rank: 2, rate: 0.5), GaussianNoise(stddev: 0.3), GaussianDropout(rate: 0.3)] {
            _ = try layer.build(inputShapes: [[6, 5, 8]], context: &ctx)
            XCTAssertEqual(layer(x, training: false).scalars, x.scalars)
            try checkLayer(layer, GradientCheck.random([2, 3, 2, 2], seed: 20))
        }
        // SpatialDropout2D: one draw per (example, channel), survivors scaled by 2.
        let sd = SpatialDropout(rank: 2, rate: 0.5)
        _ = try sd.build(inputShapes: [[6, 5, 8]], context: &ctx)
        let y = sd(x, training: true)
        var dropped = 0
        for b in 0..<4 { for c in 0..<8 {
            let ratios = (0..<30).map { s in y[flat: (b * 30 + s) * 8 + c] / x[flat: (b * 30 + s) * 8 + c] }
            XCTAssertTrue(ratios.allSatisfy { Swift.abs($0 - ratios[0]) < 1e-5 } && (Swift.abs(ratios[0]) < 1e-6 || Swift.abs(ratios[0] - 2) < 1e-5))
            if Swift.abs(ratios[0]) < 1e-6 { dropped += 1 }
        } }
        XCTAssertTrue(dropped > 4 && dropped < 28, "dropped \(dropped) of 32 channels")
        // GaussianNoise/GaussianDropout: noise statistics.
        let big = Tensor(shape: [1000, 10], repeating: 1)
        let gn = GaussianNoise(stddev: 0.5), gd = GaussianDropout(rate: 0.2)
        _ = try gn.build(inputShapes: [[10]], context: &ctx); _ = try gd.build(inputShapes: [[10]], context: &ctx)
        for (layer, sd) in [(gn as any UnaryLayer, Float(0.5)), (gd, Float(0.5))] {  // sqrt(0.2/0.8) = 0.5
            let v = layer(big, training: true).scalars
            let m = v.reduce(0, +) / Float(v.count)
            let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(v.count)).squareRoot()
            XCTAssertEqual(m, 1, accuracy: 0.03); XCTAssertEqual(s, sd, accuracy: 0.03)
        }
    }

    func testActivityRegularization() throws {
        let layer = ActivityRegularization(l1: 0.1, l2: 0.01)
        let x = Tensor(shape: [2, 2], data: [1, -2, 3, -4])
        XCTAssertEqual(layer(x, training: true).scalars, x.scalars)
        // (0.1·10 + 0.01·30) / 2
        XCTAssertEqual(layer.lossTerms.last!.scalar, 0.65, accuracy: 1e-6)
        GradientCheck.check(inputs: [GradientCheck.random([3, 4], seed: 21)], eps: 1e-3) { xs in
            layer.lossTerms = []
            _ = layer(xs[0], training: true)
            return layer.lossTerms[0]
        }
    }
}

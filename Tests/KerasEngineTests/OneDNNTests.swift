import XCTest
@testable import KerasEngine

/// oneDNN's convolutions and GEMM give the engine's own results (forward and every
/// gradient), and inference's folded Conv → BatchNormalization → activation chains give
/// what the layers give one by one — also after the weights change.
final class OneDNNTests: XCTestCase {
    override func tearDown() { OneDNN.enabled = true }

    /// Output, input gradient and parameter gradients of Σ layers(x)·w (ConvParallelTests's).
    private func run(_ layers: [any UnaryLayer], _ x: Tensor) -> [Tensor] {
        ConvParallelTests.run(layers, x, threads: ParallelBatch.threads)
    }

    private func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, tolerance: Float = 2e-5,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        let worst = (0..<Swift.min(a.count, b.count)).map { abs(a[flat: $0] - b[flat: $0]) / Swift.max(1, abs(b[flat: $0])) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, what, file: file, line: line)
    }

    private func assertSameWithAndWithout(_ layers: [any UnaryLayer], input: [Int], batch: Int,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        var ctx = BuildContext(rng: RNG(seed: 7))
        var shape = input
        for l in layers { shape = try l.build(inputShapes: [shape], context: &ctx)[0] }
        for p in layers.flatMap(\.parameters) where p.trainable { p.value = GradientCheck.random(p.shape, seed: UInt64(p.count), scale: 0.5) }
        let x = GradientCheck.random([batch] + input, seed: 3)
        OneDNN.enabled = false
        let own = run(layers, x)
        OneDNN.enabled = true
        // oneDNN's convolution backward from its default channel count up, and for every layer.
        let minimum = OneDNN.backwardMinimumChannels
        defer { OneDNN.backwardMinimumChannels = minimum }
        for channels in [minimum, 1] {
            OneDNN.backwardMinimumChannels = channels
            let dnnl = run(layers, x)
            for (k, (a, b)) in zip(dnnl, own).enumerated() {
                assertClose(a, b, "result \(k), oneDNN backward from \(channels) channels", file: file, line: line)
            }
        }
    }

    func testConvolutionBackwardRunsOnOneDNN() throws {
        let g = ConvGeometry(inH: 7, inW: 6, inC: 3, kh: 3, kw: 3, outH: 5, outW: 4, outC: 4)
        let minimum = OneDNN.backwardMinimumChannels
        defer { OneDNN.backwardMinimumChannels = minimum }
        OneDNN.backwardMinimumChannels = 1
        let grads = OneDNN.conv2dBackward(GradientCheck.random([2, 7, 6, 3], seed: 1), GradientCheck.random([3, 3, 3, 4], seed: 2),
                                          hasBias: true, dy: GradientCheck.random([2, 5, 4, 4], seed: 3), geometry: g, batch: 2,
                                          wantX: true, wantWeights: true)
        XCTAssertNotNil(grads?.0)
        XCTAssertNotNil(grads?.1)
        XCTAssertNotNil(grads?.2)
        OneDNN.backwardMinimumChannels = 4   // below it: the engine's own backward
        XCTAssertFalse(OneDNN.backwardApplies(g))
    }

    /// A 3×3, stride-1 convolution with channels in multiples of 16 takes its kernel gradient
    /// from oneDNN's Winograd convolution; it matches the direct convolution's and the engine's
    /// own (im2col) kernel and bias gradients, valid and "same" padded.
    func testWinogradKernelGradientMatchesTheDirectOnes() throws {
        let saved = OneDNN.winogradWeightGradient
        defer { OneDNN.winogradWeightGradient = saved }
        // The whole layer, forward and every gradient, against the engine's own kernels.
        var same = Convolution.Config(rank: 2, filters: 16, kernelSize: [3, 3], activation: .linear)
        same.padding = .same
        same.useBias = false
        try assertSameWithAndWithout([Convolution(.init(rank: 2, filters: 16, kernelSize: [3, 3], activation: .relu()))],
                                     input: [8, 7, 16], batch: 3)
        try assertSameWithAndWithout([Convolution(same)], input: [6, 6, 32], batch: 2)
        // The kernel and bias gradients alone, Winograd against direct.
        for (pad, (inH, inW)) in [(0, (9, 8)), (1, (7, 7))] {
            let (outH, outW) = (inH - 2 + 2 * pad, inW - 2 + 2 * pad)
            let g = ConvGeometry(inH: inH, inW: inW, inC: 16, kh: 3, kw: 3, padTop: pad, padLeft: pad,
                                 outH: outH, outW: outW, outC: 32)
            let x = GradientCheck.random([3, inH, inW, 16], seed: 1), k = GradientCheck.random([3, 3, 16, 32], seed: 2)
            let dy = GradientCheck.random([3, outH, outW, 32], seed: 3)
            func gradients(winograd: Bool) throws -> (Tensor, Tensor) {
                OneDNN.winogradWeightGradient = winograd
                let made = try XCTUnwrap(OneDNN.backward(g, batch: 3, hasBias: true))
                if winograd && !made.winograd {
                    // oneDNN 2.6 has Winograd for AVX-512 only: elsewhere the direct pass runs.
                    throw XCTSkip("oneDNN makes no Winograd convolution on this CPU")
                }
                XCTAssertEqual(made.winograd, winograd, "padding \(pad)")
                let r = try XCTUnwrap(OneDNN.conv2dBackward(x, k, hasBias: true, dy: dy, geometry: g, batch: 3,
                                                            wantX: false, wantWeights: true))
                return (try XCTUnwrap(r.1), try XCTUnwrap(r.2))
            }
            let (wk, wb) = try gradients(winograd: true), (dk, db) = try gradients(winograd: false)
            assertClose(wk, dk, "kernel gradient, padding \(pad)")
            assertClose(wb, db, "bias gradient, padding \(pad)")
            XCTAssertNotEqual(wk.scalars, dk.scalars, "the two algorithms round differently, so both ran")
        }
    }

    func testConvolutionsMatchTheEngineKernels() throws {
        func conv(_ f: Int, _ k: [Int], rank: Int = 2, relu: Bool = false, _ edit: (inout Convolution.Config) -> Void = { _ in }) -> Convolution {
            var c = Convolution.Config(rank: rank, filters: f, kernelSize: k, activation: relu ? .relu() : .linear)
            edit(&c)
            return Convolution(c)
        }
        // oneDNN does run these (a nil would mean the engine's kernels ran both times).
        let g = ConvGeometry(inH: 7, inW: 6, inC: 3, kh: 3, kw: 3, outH: 5, outW: 4, outC: 4)
        XCTAssertNotNil(OneDNN.conv2d(GradientCheck.random([2, 7, 6, 3], seed: 1), GradientCheck.random([3, 3, 3, 4], seed: 2),
                                      bias: nil, geometry: g, batch: 2, post: .relu, outputShape: [2, 5, 4, 4]))
        try assertSameWithAndWithout([conv(4, [3, 3], relu: true)], input: [7, 6, 3], batch: 5)
        try assertSameWithAndWithout([conv(6, [3, 3]) { $0.padding = .same; $0.strides = [2, 2] }], input: [7, 6, 3], batch: 3)
        try assertSameWithAndWithout([conv(4, [3, 2]) { $0.dilationRate = [2, 1]; $0.useBias = false }], input: [8, 6, 2], batch: 2)
        try assertSameWithAndWithout([conv(4, [3, 3]) { $0.groups = 2; $0.padding = .same }], input: [5, 5, 4], batch: 3)
        try assertSameWithAndWithout([conv(5, [1, 1])], input: [4, 4, 6], batch: 4)
        try assertSameWithAndWithout([conv(3, [3], rank: 1) { $0.padding = .causal; $0.dilationRate = [2] }], input: [9, 2], batch: 3)
        try assertSameWithAndWithout([conv(3, [4], rank: 1) { $0.strides = [3] }], input: [11, 2], batch: 2)
        let depthwise = DepthwiseConvolution(.init(rank: 2, kernelSize: [3, 3], depthMultiplier: 2))
        try assertSameWithAndWithout([depthwise], input: [6, 5, 3], batch: 3)
        var strided = DepthwiseConvolution.Config(rank: 2, kernelSize: [3, 3])
        strided.padding = .same; strided.strides = [2, 2]
        try assertSameWithAndWithout([DepthwiseConvolution(strided)], input: [7, 7, 4], batch: 2)
    }

    func testDenseMatchesTheEngineKernels() throws {
        try assertSameWithAndWithout([Dense(units: 70, activation: .relu()), Dense(units: 9)], input: [300], batch: 33)
        try assertSameWithAndWithout([Dense(units: 4)], input: [5, 3], batch: 2)  // (b, t, k) as (b·t, k)
    }

    /// A graph x → conv → BatchNormalization → activation → flatten, with non-trivial
    /// normalization weights; returns it and its layers.
    private func chainGraph(_ conv: any Layer, _ activation: (any Layer)?) throws -> Functional {
        let g = Functional(name: "chain")
        g.addInput(name: "x", shape: [6, 6, 3])
        g.add(layer: conv, inputs: ["x"])
        g.add(layer: BatchNormalization(name: "bn"), inputs: [conv.name])
        var last = "bn"
        if let activation { g.add(layer: activation, inputs: ["bn"]); last = activation.name }
        g.add(layer: Flatten(name: "flat"), inputs: [last])
        g.setOutputs(["flat"])
        try g.build(seed: 2)
        for p in g.parameters {
            let positive = p.name.hasSuffix("moving_variance") || p.name.hasSuffix("gamma")
            p.value = GradientCheck.random(p.shape, seed: UInt64(p.count) &+ UInt64(p.name.count), scale: 0.8)
            if positive { p.value.withMutableData { v in for i in 0..<v.count { v[i] = abs(v[i]) + 0.2 } } }
        }
        return g
    }

    /// The graph's layers run one by one on the engine's own kernels (no fusion).
    private func layerByLayer(_ g: Functional, _ x: Tensor) -> Tensor {
        OneDNN.enabled = false
        defer { OneDNN.enabled = true }
        var h = x
        for node in g.nodes { h = node.layer.forward([h], training: false)[0] }
        return h
    }

    func testInferenceFoldsBatchNormalizationIntoTheConvolution() throws {
        let x = GradientCheck.random([4, 6, 6, 3], seed: 5, scale: 2)
        let cases: [(String, () -> any Layer, (() -> any Layer)?)] = [
            ("relu", { Convolution(.init(rank: 2, filters: 5, kernelSize: [3, 3]), name: "conv") }, { ActivationLayer(.relu(), name: "act") }),
            ("relu6", { Convolution(.init(rank: 2, filters: 5, kernelSize: [3, 3]), name: "conv") }, { ReLU(.init(maxValue: 6), name: "act") }),
            ("swish", { Convolution(.init(rank: 2, filters: 5, kernelSize: [2, 2]), name: "conv") }, { ActivationLayer(.silu, name: "act") }),
            ("none", { Convolution(.init(rank: 2, filters: 5, kernelSize: [3, 3]), name: "conv") }, nil),
            ("depthwise", { DepthwiseConvolution(.init(rank: 2, kernelSize: [3, 3], depthMultiplier: 2), name: "conv") },
             { ReLU(.init(maxValue: 6), name: "act") }),
        ]
        for (what, conv, activation) in cases {
            let g = try chainGraph(conv(), activation?())
            XCTAssertEqual(g.chains.count, 1, what)
            XCTAssertEqual(g.chains.first?.value.nodes.count, activation == nil ? 2 : 3, what)
            XCTAssertTrue(g.chains.first?.value is ConvolutionChain, what)
            XCTAssertNotNil(g.chains.first?.value.run(x), "\(what): oneDNN runs the chain (not layer by layer)")
            assertClose(g.call([x], training: false)[0], layerByLayer(g, x), "\(what): folded")
            // New weights (an optimizer step writes the kernel in place; moving statistics
            // are replaced): the folded weights follow.
            g.parameters.first { $0.name.hasSuffix("kernel") }?.value.withMutableData { k in for i in 0..<k.count { k[i] *= -1.5 } }
            if let mean = g.parameters.first(where: { $0.name.hasSuffix("moving_mean") }) {
                mean.value = GradientCheck.random(mean.shape, seed: 11)
            }
            assertClose(g.call([x], training: false)[0], layerByLayer(g, x), "\(what): after the weights changed")
            // Training mode runs layer by layer (the batch's statistics, not the moving ones).
            let train = g.call([x], training: true)[0]
            OneDNN.enabled = false
            var h = x
            for node in g.nodes { h = node.layer.forward([h], training: true)[0] }
            OneDNN.enabled = true
            assertClose(train, h, "\(what): training")
        }
    }

    /// Sequential stacks fold as functional graphs do: conv → BatchNormalization (→ activation)
    /// and BatchNormalization → activation, each run as one step in inference.
    func testSequentialStacksFoldLikeGraphs() throws {
        func conv(_ name: String) -> any Layer { Convolution(.init(rank: 2, filters: 5, kernelSize: [3, 3]), name: name) }
        let m = Sequential(name: "stack", layers: [
            conv("c1"), BatchNormalization(name: "bn1"), ReLU(.init(maxValue: 6), name: "a1"),
            conv("c2"), BatchNormalization(name: "bn2"),
            BatchNormalization(name: "bn3"), ActivationLayer(.silu, name: "a3"),
            DepthwiseConvolution(.init(rank: 2, kernelSize: [2, 2]), name: "dw"), BatchNormalization(name: "bn4"),
            ActivationLayer(.relu(), name: "a4"), Flatten(name: "flat"),
        ])
        try m.build(inputShapes: [[9, 9, 3]], seed: 2)
        for p in m.parameters {
            let positive = p.name.hasSuffix("moving_variance") || p.name.hasSuffix("gamma")
            p.value = GradientCheck.random(p.shape, seed: UInt64(p.count) &+ UInt64(p.name.count), scale: 0.8)
            if positive { p.value.withMutableData { v in for i in 0..<v.count { v[i] = abs(v[i]) + 0.2 } } }
        }
        XCTAssertEqual(m.chains.keys.sorted(), [0, 3, 5, 7])
        XCTAssertEqual(m.chains.keys.sorted().map { m.chains[$0]!.nodes }, [[0, 1, 2], [3, 4], [5, 6], [7, 8, 9]])
        let x = GradientCheck.random([3, 9, 9, 3], seed: 6, scale: 2)
        OneDNN.enabled = false
        var h = x
        for layer in m.layers { h = layer.forward([h], training: false)[0] }
        OneDNN.enabled = true
        assertClose(m.call([x], training: false)[0], h, "folded stack")
        XCTAssertNotNil(m.chains[0]?.run(x), "oneDNN runs the first chain")
    }

    func testNormalizationThenActivationRunsInOnePass() throws {
        for (what, act) in [("relu", ActivationLayer(.relu(), name: "act") as any Layer), ("relu6", ReLU(.init(maxValue: 6), name: "act")),
                            ("swish", ActivationLayer(.silu, name: "act"))] {
            let g = Functional(name: "pre")
            g.addInput(name: "x", shape: [5, 4, 6])
            g.add(layer: BatchNormalization(name: "bn"), inputs: ["x"])
            g.add(layer: act, inputs: ["bn"])
            g.add(layer: Convolution(.init(rank: 2, filters: 3, kernelSize: [1, 1]), name: "conv"), inputs: [act.name])
            g.setOutputs(["conv"])
            try g.build(seed: 3)
            for p in g.parameters where p.name.hasPrefix("bn/") {
                p.value = GradientCheck.random(p.shape, seed: UInt64(p.name.count), scale: 1.5)
                if p.name.hasSuffix("variance") { p.value.withMutableData { v in for i in 0..<v.count { v[i] = abs(v[i]) + 0.1 } } }
            }
            XCTAssertTrue(g.chains.values.contains { $0 is NormalizationChain && $0.nodes.count == 2 }, what)
            let x = GradientCheck.random([3, 5, 4, 6], seed: 8, scale: 3)
            assertClose(g.call([x], training: false)[0], layerByLayer(g, x), what)
        }
    }

    func testChainsNeedASoleReaderAndNoGraphOutputInside() throws {
        // The normalization's output is also a graph output: no chain (it must be computed).
        let g = Functional(name: "open")
        g.addInput(name: "x", shape: [6, 6, 3])
        g.add(layer: Convolution(.init(rank: 2, filters: 2, kernelSize: [3, 3]), name: "conv"), inputs: ["x"])
        g.add(layer: BatchNormalization(name: "bn"), inputs: ["conv"])
        g.add(layer: ActivationLayer(.relu(), name: "act"), inputs: ["bn"])
        g.setOutputs(["act", "bn"])
        try g.build(seed: 1)
        XCTAssertEqual(g.chains.first?.value.nodes.count, 2, "conv → bn only: bn is an output, its activation stays separate")
        // The convolution's output read twice: no chain.
        let h = Functional(name: "branch")
        h.addInput(name: "x", shape: [6, 6, 3])
        h.add(layer: Convolution(.init(rank: 2, filters: 2, kernelSize: [3, 3]), name: "conv"), inputs: ["x"])
        h.add(layer: BatchNormalization(name: "bn"), inputs: ["conv"])
        h.add(layer: Add(name: "add"), inputs: ["conv", "bn"])
        h.setOutputs(["add"])
        try h.build(seed: 1)
        XCTAssertTrue(h.chains.isEmpty)
        let x = GradientCheck.random([2, 6, 6, 3], seed: 4)
        let y = h.call([x], training: false)[0]
        OneDNN.enabled = false
        assertClose(y, h.call([x], training: false)[0], "unfused graph")
    }
}

import XCTest
@testable import KerasEngine

/// A first Conv2D and the 2×2 max pooling after it run as one op in training
/// (``conv2dMaxPool`` through ``TrainingPair``): the same values and kernel/bias gradients
/// as the layers one by one (whose own gradients are checked by central differences in
/// ConvGradientTests), its own central-difference check, the cases it leaves to the layers,
/// and Sequential stacks and functional graphs taking it.
final class ConvPoolFusionTests: XCTestCase {
    func conv(_ filters: Int, _ kernel: [Int], _ activation: Activation, _ edit: (inout Convolution.Config) -> Void = { _ in }) -> Convolution {
        var c = Convolution.Config(rank: 2, filters: filters, kernelSize: kernel, activation: activation)
        edit(&c)
        return Convolution(c, name: "conv")
    }

    /// `conv` then a default MaxPooling2D, built for `shape` (batch axis included), with
    /// random weights (biases too, so their paths are not trivial).
    func block(_ conv: Convolution, _ shape: [Int], pool: Pooling.Config = .init(kind: .max, rank: 2), seed: UInt64 = 3) throws -> Sequential {
        let m = Sequential(name: "block", layers: [conv, Pooling(pool, name: "pool")])
        try m.build(inputShapes: [Array(shape.dropFirst())], seed: seed)
        for p in m.parameters { p.value = GradientCheck.random(p.shape, seed: seed &+ UInt64(p.count), scale: 0.5) }
        return m
    }

    /// The output and the parameters' gradients of sum(f(x)·w), x not differentiated.
    func run(_ m: Sequential, _ x: Tensor, _ w: Tensor?, _ f: (Tensor) -> Tensor) -> (Tensor, [[Float]]) {
        let tape = Tape()
        for p in m.parameters { tape.watch(p) }
        let y = f(x)
        let g = tape.gradients(of: sum(y * (w ?? Tensor(shape: y.shape, repeating: 1))), for: m.parameters)
        return (y, m.parameters.map { g[$0]?.scalars ?? [] })
    }

    func testFusedBlockMatchesTheLayersOneByOne() throws {
        let cases: [(String, Convolution, [Int])] = [
            // 3×3 on one channel, two 16-filter blocks a pass; a 10×9 output pools to 5×4 (last column dropped)
            ("relu 3x3x1", conv(32, [3], .relu()), [3, 12, 11, 1]),
            // 3×3 on three channels: 48 filters = a 32 block pass is not taken (K > 13), three 16 blocks
            ("linear 3x3x3", conv(48, [3], .linear), [2, 9, 9, 3]),
            // 25 taps, "same" padding: windows at the edges
            ("relu 5x5 same", conv(16, [5], .relu()) { $0.padding = .same }, [2, 8, 8, 1]),
            ("strided, no bias", conv(16, [2, 3], .relu()) { $0.strides = [2]; $0.padding = .same; $0.useBias = false }, [2, 9, 10, 2]),
            ("dilated", conv(32, [2], .linear) { $0.dilationRate = [2]; $0.padding = .same }, [2, 7, 7, 1]),
        ]
        for (what, layer, shape) in cases {
            let m = try block(layer, shape)
            let (c, pool) = (m.layers[0], m.layers[1])
            XCTAssertTrue(TrainingPair.fuses(c, pool), what)
            let x = GradientCheck.random(shape, seed: 9, scale: 1.5)
            let cv = try XCTUnwrap(c as? Convolution), pg = try XCTUnwrap((pool as? Pooling)?.builtGeometry)
            // The fused kernels themselves take it (not the layers' path that TrainingPair falls back to).
            XCTAssertNotNil(conv2dMaxPool(x, try XCTUnwrap(cv.kernel?.value), bias: cv.bias?.value, geometry: try XCTUnwrap(cv.geometry),
                                          relu: cv.config.activation == .relu(), pool: pg), what)
            let fusedOut = try XCTUnwrap(TrainingPair.run(c, pool, x), what)
            let w = GradientCheck.random(fusedOut.shape, seed: 10)
            let (fused, fusedGrads) = run(m, x, w) { TrainingPair.run(c, pool, $0)! }
            let (plain, plainGrads) = run(m, x, w) { pool.forward(c.forward([$0], training: true), training: true)[0] }
            XCTAssertEqual(fused.shape, plain.shape, what)
            for i in 0..<plain.count { XCTAssertEqual(fused[flat: i], plain[flat: i], accuracy: 1e-5 * Swift.max(1, abs(plain[flat: i])), "\(what) y[\(i)]") }
            XCTAssertEqual(fusedGrads.map(\.count), plainGrads.map(\.count), what)
            for (p, (a, b)) in zip(m.parameters, zip(fusedGrads, plainGrads)) {
                XCTAssertTrue(a.contains { $0 != 0 }, "\(what): no gradient for \(p.name)")
                for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-4 * Swift.max(1, abs(v)), "\(what) d\(p.name)") }
            }
        }
    }

    /// Central differences on the fused op's kernel and bias, with values that keep every
    /// window's winning cell away from ties under the perturbation: a linear convolution
    /// whose centre tap is 1 and other taps at most ~0.002, over inputs 0.05 apart, so each
    /// window's order is its centre values' order (moved by at most ~0.03 by eps 1e-3).
    func testFusedBlockGradientsByCentralDifferences() throws {
        let m = try block(conv(16, [3], .linear), [2, 8, 9, 1])
        let (c, pool) = (m.layers[0], m.layers[1])
        let kernel = try XCTUnwrap((c as? Convolution)?.kernel)
        kernel.value = GradientCheck.random(kernel.shape, seed: 4, scale: 0.001)
        kernel.value.withMutableData { k in for o in 0..<16 { k[4 * 16 + o] = 1 } }   // tap (1, 1): the centre
        var rng = RNG(seed: 5)
        let n = 2 * 8 * 9
        let x = Tensor(shape: [2, 8, 9, 1], data: rng.permutation(n).map { Float($0) * 0.05 - Float(n) * 0.025 + 0.0125 })
        XCTAssertNotNil(TrainingPair.run(c, pool, x))
        let report = GradientCheck.check(inputs: [], parameters: m.parameters, eps: 1e-3, tolerance: 1e-2) { _ in
            TrainingPair.run(c, pool, x)!
        }
        XCTAssertEqual(report.checked, m.parameters.reduce(0) { $0 + $1.count })
    }

    func testPairsLeftToTheLayers() throws {
        let x = GradientCheck.random([2, 8, 8, 1], seed: 2)
        // Not a pair: another activation, an activity regularizer, another pooling.
        let tanh = try block(conv(16, [3], .tanh), x.shape)
        XCTAssertFalse(TrainingPair.fuses(tanh.layers[0], tanh.layers[1]))
        let l1 = try L1(l1: 0.01)
        let regularized = try block(conv(16, [3], .relu()) { $0.weightOptions.activityRegularizer = l1 }, x.shape)
        XCTAssertFalse(TrainingPair.fuses(regularized.layers[0], regularized.layers[1]))
        let wide = try block(conv(16, [3], .relu()), x.shape, pool: .init(kind: .max, rank: 2, poolSize: [3], strides: [2]))
        XCTAssertFalse(TrainingPair.fuses(wide.layers[0], wide.layers[1]))
        let average = try block(conv(16, [3], .relu()), x.shape, pool: .init(kind: .average, rank: 2))
        XCTAssertFalse(TrainingPair.fuses(average.layers[0], average.layers[1]))
        // A pair that conv2dMaxPool does not take (a differentiated input, 8 filters, 36 taps):
        // linear, the layers run one by one; with a ReLU, see testReLUMaskOnThePooledGradient.
        let linear = try block(conv(16, [3], .linear), x.shape)
        let tape = Tape()
        XCTAssertNil(TrainingPair.run(linear.layers[0], linear.layers[1], tape.watch(x)))
        let narrow = try block(conv(8, [3], .linear), x.shape)
        XCTAssertNil(TrainingPair.run(narrow.layers[0], narrow.layers[1], x))
        XCTAssertNil(conv2dMaxPool(x, GradientCheck.random([3, 3, 1, 8], seed: 1), bias: nil,
                                   geometry: try XCTUnwrap((narrow.layers[0] as? Convolution)?.geometry), relu: true,
                                   pool: try XCTUnwrap((narrow.layers[1] as? Pooling)?.builtGeometry)))
        let many = try block(conv(16, [3], .linear), [2, 8, 8, 4])
        XCTAssertNil(TrainingPair.run(many.layers[0], many.layers[1], GradientCheck.random([2, 8, 8, 4], seed: 3)))
    }

    /// Where conv2dMaxPool does not apply, a ReLU Conv2D → 2×2 max pooling pair still runs
    /// together: the convolution skips its ReLU mask and the pooling applies it to the pooled
    /// gradient (the pooled output is the ReLU of the window's winner). The same values and
    /// gradients — input, kernel, bias — as the layers one by one, on oneDNN's backward (16
    /// input channels up) and on the engine's (below), and with a first layer's 36 taps.
    func testReLUMaskOnThePooledGradient() throws {
        /// The input's gradient (when tracked), then the parameters', of sum(f(x)·w).
        func gradients(_ m: Sequential, _ x: Tensor, tracked: Bool, _ w: Tensor, _ f: (Tensor) -> Tensor) -> [[Float]] {
            var out: [[Float]] = []
            if tracked {
                let tape = Tape()
                for p in m.parameters { tape.watch(p) }
                let input = tape.watch(x)
                out.append(tape.gradients(of: sum(f(input) * w), for: [input])[0].scalars)
            }
            let tape = Tape()
            for p in m.parameters { tape.watch(p) }
            let g = tape.gradients(of: sum(f(tracked ? tape.watch(x) : x) * w), for: m.parameters)
            return out + m.parameters.map { g[$0]?.scalars ?? [] }
        }
        for (what, filters, shape, tracked) in [("oneDNN backward", 16, [2, 9, 8, 16], true), ("engine backward", 8, [2, 8, 9, 3], true),
                                                 ("first layer, 36 taps", 16, [2, 8, 8, 4], false)] {
            let m = try block(conv(filters, [3], .relu()), shape)
            let (c, pool) = (m.layers[0], m.layers[1])
            let x = GradientCheck.random(shape, seed: 12)
            let plain = { (x: Tensor) in pool.forward(c.forward([x], training: true), training: true)[0] }
            let fused = { (x: Tensor) in TrainingPair.run(c, pool, x)! }
            XCTAssertNotNil(TrainingPair.run(c, pool, Tape().watch(x)), what)
            XCTAssertEqual(fused(x).scalars, plain(x).scalars, what)   // the same ops forward
            let w = GradientCheck.random(fused(x).shape, seed: 13)
            let (a, b) = (gradients(m, x, tracked: tracked, w, fused), gradients(m, x, tracked: tracked, w, plain))
            XCTAssertEqual(a.count, (tracked ? 1 : 0) + m.parameters.count, what)
            XCTAssertTrue(a.allSatisfy { $0.contains { $0 != 0 } }, what)
            XCTAssertEqual(a, b, "\(what): the mask moved, not changed")
        }
    }

    /// Sequential stacks and functional graphs run the pair as one op in training (one tape
    /// node for both layers, besides one per watched weight), and the stack's training
    /// output is the fused op's.
    func testModelsRunTheFusedBlock() throws {
        let layers: [any Layer] = [conv(32, [3], .relu()), Pooling(.init(kind: .max, rank: 2), name: "pool"), Flatten(name: "flat")]
        let stack = Sequential(name: "stack", layers: layers)
        try stack.build(inputShapes: [[10, 10, 1]], seed: 1)
        let x = GradientCheck.random([4, 10, 10, 1], seed: 8)
        let tape = Tape()
        for p in stack.parameters { tape.watch(p) }
        let y = stack.call([x], training: true)[0]
        XCTAssertEqual(tape.nodes.count, stack.parameters.count + 2, "the watched weights, the pair and Flatten")
        let pooled = try XCTUnwrap(TrainingPair.run(stack.layers[0], stack.layers[1], x))
        XCTAssertEqual(y.scalars, pooled.scalars)

        let g = Functional(name: "graph")
        g.addInput(name: "x", shape: [10, 10, 1])
        g.add(layer: conv(16, [3], .relu()), inputs: ["x"])
        g.add(layer: Pooling(.init(kind: .max, rank: 2), name: "pool"), inputs: ["conv"])
        g.add(layer: Flatten(name: "flat"), inputs: ["pool"])
        g.setOutputs(["flat"])
        try g.build(seed: 2)
        let pair = try XCTUnwrap(g.trainingPairs.first)
        XCTAssertEqual(g.trainingPairs.count, 1)
        XCTAssertEqual([g.nodes[pair.key].layer.name, g.nodes[pair.value].layer.name], ["conv", "pool"])
        let tape2 = Tape()
        for p in g.parameters { tape2.watch(p) }
        _ = g.call([x], training: true)
        XCTAssertEqual(tape2.nodes.count, g.parameters.count + 2, "the watched weights, the pair and Flatten")
    }
    /// At inference a stack's or graph's first Conv2D → 2×2 max pooling runs as the fused op's
    /// forward (``PooledConvolutionChain``), with the layers' values within float rounding.
    func testInferenceRunsTheFusedForward() throws {
        for (what, activation) in [("relu", Activation.relu()), ("linear", .linear)] {
            let stack = Sequential(name: "stack", layers: [conv(32, [3], activation), Pooling(.init(kind: .max, rank: 2), name: "pool"),
                                                           Flatten(name: "flat")])
            try stack.build(inputShapes: [[11, 12, 1]], seed: 4)
            for p in stack.parameters { p.value = GradientCheck.random(p.shape, seed: UInt64(p.count), scale: 0.5) }
            XCTAssertTrue(stack.chains[0] is PooledConvolutionChain, what)
            XCTAssertEqual(stack.chains[0]?.nodes, [0, 1], what)
            let x = GradientCheck.random([3, 11, 12, 1], seed: 7)
            XCTAssertNotNil(stack.chains[0]?.run(x), what)
            var h = x
            for layer in stack.layers { h = layer.forward([h], training: false)[0] }
            let y = stack.call([x], training: false)[0]
            XCTAssertEqual(y.shape, h.shape, what)
            for i in 0..<h.count { XCTAssertEqual(y[flat: i], h[flat: i], accuracy: 1e-5 * Swift.max(1, abs(h[flat: i])), "\(what) y[\(i)]") }
        }
    }
    /// maxPool2d's `maskByOutput` on its general path (3×3 windows, strides 2, "same": windows
    /// overlap and cover padding): the gradient is the plain one where the winning input is
    /// positive and 0 elsewhere, i.e. the ReLU's backward applied after the pooling's.
    func testMaskByOutputOnOverlappingWindows() throws {
        let z = GradientCheck.random([2, 7, 6, 3], seed: 21)
        let r = relu(z)   // a ReLU's output: zeros where z ≤ 0
        let g = try WindowShapes.geometry("MaxPooling2D", "pool", input: [7, 6, 3], rank: 2, kernel: [3], strides: [2], dilation: [1],
                                          padding: .same, outChannels: 3)
        XCTAssertFalse(g.isPairPool)
        func gradient(masked: Bool) -> Tensor {
            let tape = Tape()
            let x = tape.watch(r)
            let y = maxPool2d(x, geometry: g, maskByOutput: masked)
            return tape.gradients(of: sum(y * GradientCheck.random(y.shape, seed: 22)), for: [x])[0]
        }
        let masked = gradient(masked: true), plain = gradient(masked: false)
        XCTAssertTrue(plain.scalars.contains { $0 != 0 } && masked.scalars.contains { $0 != 0 })
        XCTAssertTrue(zip(plain.scalars, r.scalars).contains { $0 != 0 && $1 == 0 }, "some gradient reaches a zero input unmasked")
        XCTAssertEqual(masked.scalars, zip(plain.scalars, r.scalars).map { $1 > 0 ? $0 : 0 })
    }

    /// A graph whose convolution's output has a second reader, or is a model output, pairs
    /// nothing, in training and at inference.
    func testGraphsPairOnlyASoleReader() throws {
        for shared in [true, false] {
            let g = Functional(name: "graph")
            g.addInput(name: "x", shape: [10, 10, 1])
            g.add(layer: conv(16, [3], .relu()), inputs: ["x"])
            g.add(layer: Pooling(.init(kind: .max, rank: 2), name: "pool"), inputs: ["conv"])
            g.add(layer: Flatten(name: "flat"), inputs: ["pool"])
            if shared {
                g.add(layer: GlobalPooling(.init(kind: .max, rank: 2), name: "global"), inputs: ["conv"])
                g.setOutputs(["flat", "global"])
            } else {
                g.setOutputs(["flat", "conv"])
            }
            try g.build(seed: 2)
            XCTAssertTrue(g.trainingPairs.isEmpty, "shared: \(shared)")
            XCTAssertFalse(g.chains.values.contains { $0 is PooledConvolutionChain }, "shared: \(shared)")
        }
    }
}

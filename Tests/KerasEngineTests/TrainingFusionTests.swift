import XCTest
import KerasKernels
@testable import KerasEngine

/// A BatchNormalization in training mode followed by a ReLU (or ReLU(6)) layer runs as one
/// pass (`BatchNormalization.trainingForward(_:post:)`): the same outputs, gradients and
/// moving statistics as the two layers one by one, in Sequential and functional models.
/// The optimizers' vectorized kernels give the scalar definition's values bit for bit.
final class TrainingFusionTests: XCTestCase {
    /// Rows of every channel at ±0.5, ±1.5, … around a per-channel centre, scaled: no
    /// normalized value is near 0, so no ReLU kink lies within a finite-difference step.
    private func input(rows: Int, channels: Int) -> Tensor {
        var data = [Float](repeating: 0, count: rows * channels)
        var rng = RNG(seed: 4)
        let order = rng.permutation(rows)
        for r in 0..<rows {
            for c in 0..<channels {
                data[r * channels + c] = (Float(order[r]) - Float(rows - 1) / 2) * (1 + 0.1 * Float(c)) + 0.3 * Float(c)
            }
        }
        return Tensor(shape: [rows / 4, 2, 2, channels], data: data)
    }

    /// A built BatchNormalization with γ = `gamma`·(1 + 0.05c), β = 0.02c, and the activation.
    private func pair(_ activation: any Layer, channels: Int, gamma: Float) throws -> (BatchNormalization, any Layer) {
        let norm = BatchNormalization(name: "bn")
        var ctx = BuildContext(rng: RNG(seed: 1))
        _ = try norm.build(inputShapes: [[2, 2, channels]], context: &ctx)
        norm.gamma?.value = Tensor(shape: [channels], data: (0..<channels).map { gamma * (1 + 0.05 * Float($0)) })
        norm.beta?.value = Tensor(shape: [channels], data: (0..<channels).map { 0.02 * Float($0) })
        return (norm, activation)
    }

    /// Output, input gradient, γ and β gradients of Σ f(x)·w, and the moving statistics after.
    private func results(_ norm: BatchNormalization, _ x: Tensor, _ f: (Tensor) -> Tensor) -> [Tensor] {
        let tape = Tape()
        let xt = tape.watch(x)
        let y = f(xt)
        let w = GradientCheck.random(y.shape, seed: 9)
        let gx = tape.gradients(of: sum(y * w), for: [xt])[0]
        let tape2 = Tape()
        let params = norm.parameters.filter(\.trainable)
        for p in params { tape2.watch(p) }
        let grads = tape2.gradients(of: sum(f(x) * w), for: params)
        return [y.detached, gx] + params.map { grads[$0]! } + norm.batchStatistics.map(\.value)
    }

    private func assertClose(_ a: [Tensor], _ b: [Tensor], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (k, (s, t)) in zip(a, b).enumerated() {
            XCTAssertEqual(s.shape, t.shape, what, file: file, line: line)
            let worst = (0..<s.count).map { abs(s[flat: $0] - t[flat: $0]) / Swift.max(1, abs(t[flat: $0])) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5, "\(what): result \(k)", file: file, line: line)
        }
    }

    func testFusedPairMatchesTheLayersOneByOne() throws {
        for (what, make, gamma) in [("relu", { ActivationLayer(.relu(), name: "act") as any Layer }, Float(1)),
                                    ("relu6", { ReLU(.init(maxValue: 6), name: "act") as any Layer }, 4)] {
            let x = input(rows: 40, channels: 11)   // 11 channels: a vector of eight and a tail
            let (n1, a1) = try pair(make(), channels: 11, gamma: gamma)
            let oneByOne = results(n1, x) { a1.forward([n1($0, training: true)], training: true)[0] }
            let (n2, a2) = try pair(make(), channels: 11, gamma: gamma)
            XCTAssertNotNil(BatchNormalization.fusedTrainingPost(a2), what)
            let fused = results(n2, x) { forwardWithMasks([n2, a2], [$0], training: true)[0] }
            assertClose(fused, oneByOne, what)
            // Some outputs are clipped or zeroed, so the mask matters.
            XCTAssertTrue(fused[0].scalars.contains(0), what)
            if what == "relu6" { XCTAssertTrue(fused[0].scalars.contains(6), what) }
        }
        XCTAssertNil(BatchNormalization.fusedTrainingPost(ActivationLayer(.silu)))
        XCTAssertNil(BatchNormalization.fusedTrainingPost(ReLU(.init(negativeSlope: 0.1))))
    }

    func testFusedPairGradientsAgainstCentralDifferences() throws {
        let x = input(rows: 16, channels: 3)
        let (norm, act) = try pair(ActivationLayer(.relu(), name: "act"), channels: 3, gamma: 1)
        let trainable = norm.parameters.filter(\.trainable)
        let report = GradientCheck.check(inputs: [x], parameters: trainable, eps: 1e-2, tolerance: 2e-2) {
            forwardWithMasks([norm, act], $0, training: true)[0]
        }
        XCTAssertEqual(report.checked, x.count + 6)
    }

    func testFunctionalGraphsFuseOnlyASoleReader() throws {
        func graph(sharedNormalization: Bool) throws -> Functional {
            let g = Functional(name: "g")
            g.addInput(name: "x", shape: [2, 2, 5])
            g.add(layer: BatchNormalization(name: "bn"), inputs: ["x"])
            g.add(layer: ActivationLayer(.relu(), name: "act"), inputs: ["bn"])
            var outputs = ["act"]
            if sharedNormalization { g.add(layer: Flatten(name: "flat"), inputs: ["bn"]); outputs.append("flat") }
            g.setOutputs(outputs)
            try g.build(seed: 2)
            return g
        }
        let fused = try graph(sharedNormalization: false), open = try graph(sharedNormalization: true)
        XCTAssertEqual(fused.trainingPairs.count, 1)
        XCTAssertTrue(open.trainingPairs.isEmpty)
        let x = input(rows: 24, channels: 5)
        let y = fused.call([x], training: true)[0]
        let z = open.call([x], training: true)[0]
        XCTAssertEqual(y.shape, z.shape)
        for i in 0..<y.count { XCTAssertEqual(y[flat: i], z[flat: i], accuracy: 1e-5) }
        XCTAssertEqual(y.scalars.filter { $0 == 0 }.count, z.scalars.filter { $0 == 0 }.count)
    }

    func testOptimizerKernelsMatchTheScalarDefinition() {
        let n = 1003   // vectors of every width and a tail
        let g = GradientCheck.random([n], seed: 1).scalars, w0 = GradientCheck.random([n], seed: 2).scalars
        let s0 = GradientCheck.random([n], seed: 3).scalars.map { abs($0) }, m0 = GradientCheck.random([n], seed: 4).scalars
        // RMSprop: v ← ρv + (1−ρ)g², w ← w − lr·g/√(v + ε)
        var w = w0, v = s0
        kk_rmsprop(&w, g, &v, n, 0.9, 0.1, 0.001, 1e-7)
        for i in 0..<n {
            let vi: Float = 0.9 * s0[i] + 0.1 * (g[i] * g[i])
            XCTAssertEqual(v[i], vi)
            XCTAssertEqual(w[i], w0[i] - (0.001 * g[i]) / (vi + 1e-7).squareRoot())
        }
        // Adam: m ← m + (g − m)k1, v ← v + (g² − v)k2, w ← w − mα/(√v + ε)
        var wa = w0, m = m0, va = s0
        kk_adam(&wa, g, &m, &va, n, 0.1, 0.001, 0.0003, 1e-7)
        for i in 0..<n {
            let mi: Float = m0[i] + (g[i] - m0[i]) * 0.1, vi: Float = s0[i] + (g[i] * g[i] - s0[i]) * 0.001
            XCTAssertEqual(m[i], mi)
            XCTAssertEqual(va[i], vi)
            XCTAssertEqual(wa[i], w0[i] - (mi * 0.0003) / (vi.squareRoot() + 1e-7))
        }
    }
}

import XCTest
@testable import KerasEngine

/// Statistics of each initializer against Keras's formulas (the draws come from the
/// engine's RNG, so they match Keras in distribution, not bit for bit).
final class InitializerTests: XCTestCase {
    func stats(_ t: Tensor) -> (mean: Double, variance: Double, maxAbs: Double) {
        let v = t.scalars.map(Double.init)
        let m = v.reduce(0, +) / Double(v.count)
        return (m, v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count), v.map(Swift.abs).max()!)
    }

    func testVarianceScalingFamily() {
        let shape = [3, 3, 64, 128]   // conv kernel: fan_in 576, fan_out 1152
        let fanIn = 576.0, fanOut = 1152.0, fanAvg = (fanIn + fanOut) / 2
        let table: [(String, Initializer, Double, Bool)] = [
            ("glorot_uniform", .glorotUniform, 1 / fanAvg, true), ("glorot_normal", .glorotNormal, 1 / fanAvg, false),
            ("he_uniform", .heUniform, 2 / fanIn, true), ("he_normal", .heNormal, 2 / fanIn, false),
            ("lecun_uniform", .lecunUniform, 1 / fanIn, true), ("lecun_normal", .lecunNormal, 1 / fanIn, false),
        ]
        var rng = RNG(seed: 42)
        for (name, ini, variance, uniform) in table {
            let t = ini.make(shape, rng: &rng)
            let s = stats(t)
            XCTAssertEqual(s.mean, 0, accuracy: 4 * (variance / Double(t.count)).squareRoot(), name)
            XCTAssertEqual(s.variance / variance, 1, accuracy: 0.02, name)
            // Uniform: bounded by √(3·var); truncated normal: by 2 stddevs of the untruncated one.
            let bound = uniform ? (3 * variance).squareRoot() : 2 * variance.squareRoot() / 0.87962566103423978
            XCTAssertLessThanOrEqual(s.maxAbs, bound * (1 + 1e-6), name)
        }
    }

    func testDenseFansAndRandomFamilies() {
        var rng = RNG(seed: 1)
        XCTAssertTrue(Initializer.fans([20, 30]) == (20, 30))
        XCTAssertTrue(Initializer.fans([5]) == (5, 5))
        let n = Initializer.randomNormal().make([200, 200], rng: &rng)
        XCTAssertEqual(stats(n).variance, 0.05 * 0.05, accuracy: 0.05 * 0.05 * 0.03)
        let u = Initializer.randomUniform().make([200, 200], rng: &rng)
        XCTAssertEqual(stats(u).variance, 0.1 * 0.1 / 12, accuracy: 0.1 * 0.1 / 12 * 0.03)
        XCTAssertLessThanOrEqual(stats(u).maxAbs, 0.05)
        let tn = Initializer.truncatedNormal().make([200, 200], rng: &rng)
        XCTAssertLessThanOrEqual(stats(tn).maxAbs, 0.1 + 1e-7)
        // A normal truncated at ±2σ has variance 0.77398σ².
        XCTAssertEqual(stats(tn).variance / (0.05 * 0.05), 0.77398, accuracy: 0.02)
    }

    func testOrthogonal() {
        var rng = RNG(seed: 3)
        for (shape, gain) in [([6, 4], Float(1)), ([4, 6], 2), ([3, 2, 5], 1)] as [([Int], Float)] {
            let t = Initializer.orthogonal(gain: gain).make(shape, rng: &rng)
            let cols = shape.last!, rows = t.count / cols
            // The smaller side is orthonormal (times gain): QᵀQ = g²I (rows ≥ cols) or QQᵀ = g²I.
            let (outer, inner) = rows >= cols ? (cols, rows) : (rows, cols)
            for a in 0..<outer {
                for b in 0..<outer {
                    var dot: Float = 0
                    for k in 0..<inner {
                        dot += rows >= cols ? t[flat: k * cols + a] * t[flat: k * cols + b] : t[flat: a * cols + k] * t[flat: b * cols + k]
                    }
                    XCTAssertEqual(dot, a == b ? gain * gain : 0, accuracy: 1e-5, "\(shape) (\(a), \(b))")
                }
            }
        }
    }

    func testIdentityConstantZerosOnes() {
        var rng = RNG(seed: 0)
        XCTAssertEqual(Initializer.identity(gain: 2).make([2, 3], rng: &rng).scalars, [2, 0, 0, 0, 2, 0])
        XCTAssertEqual(Initializer.identity().make([3, 2], rng: &rng).scalars, [1, 0, 0, 1, 0, 0])
        XCTAssertEqual(Initializer.constant(0.5).make([3], rng: &rng).scalars, [0.5, 0.5, 0.5])
        XCTAssertEqual(Initializer.zeros.make([2], rng: &rng).scalars, [0, 0])
        XCTAssertEqual(Initializer.ones.make([2], rng: &rng).scalars, [1, 1])
    }
}

import XCTest
@testable import KerasEngine

/// Keras's weight constraints by hand (Keras's numbers: KerasBuilderTests/
/// KerasLayerFixtureTests), and the optimizer applying them after each update.
final class ConstraintTests: XCTestCase {
    // Columns (axis 0 norms): (3, 4) has norm 5, (0.3, 0.4) has norm 0.5.
    let w = Tensor(shape: [2, 2], data: [3, 0.3, 4, 0.4])

    func flat(_ t: Tensor) -> [Float] { (0..<t.count).map { t[flat: $0] } }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5, what) }
    }

    func testFormulas() {
        // MaxNorm(2): the long column scaled to norm 2 (·2/5), the short one kept.
        assertClose(flat(MaxNorm()(w)), [1.2, 0.3, 1.6, 0.4], "max_norm")
        // Norms along axis 1 (rows): (3, 0.3) and (4, 0.4).
        let rows = MaxNorm(maxValue: 1, axis: [1])(w)
        XCTAssertEqual(sqrtf(rows[flat: 0] * rows[flat: 0] + rows[flat: 1] * rows[flat: 1]), 1, accuracy: 1e-5)
        assertClose(flat(NonNeg()(Tensor(shape: [3], data: [-1, 0, 2]))), [0, 0, 2], "non_neg")
        assertClose(flat(UnitNorm()(w)), [0.6, 0.6, 0.8, 0.8], "unit_norm")
        // MinMaxNorm(0.6, 1, rate 0.5): norm 5 → 0.5·1 + 0.5·5 = 3; norm 0.5 → 0.5·0.6 + 0.5·0.5 = 0.55.
        assertClose(flat(MinMaxNorm(minValue: 0.6, maxValue: 1, rate: 0.5)(w)), [1.8, 0.33, 2.4, 0.44], "min_max_norm")
        // Norms over axes [0, 1] of a (2, 2, 1) kernel: one norm per output channel.
        assertClose(flat(UnitNorm(axis: [0, 1])(Tensor(shape: [2, 2, 1], data: [1, 1, 1, 1]))), [0.5, 0.5, 0.5, 0.5], "unit_norm axes")
    }

    func testOptimizerConstrainsAfterEveryUpdate() throws {
        let p = Parameter(name: "d/kernel", value: Tensor(shape: [2], data: [1, -1]), constraint: NonNeg())
        var g = Gradients()
        g[p] = Tensor(shape: [2], data: [-1, 1])
        let sgd = Optimizer(try SGD(), learningRate: ConstantLearningRate(1))
        sgd.apply(g, to: [p])
        XCTAssertEqual(flat(p.value), [2, 0])   // [2, −2] then max(·, 0)
        // Accumulating calls constrain too (Keras applies constraints after every call).
        let q = Parameter(name: "d/bias", value: Tensor(shape: [1], data: [-3]), constraint: NonNeg())
        var h = Gradients()
        h[q] = Tensor(shape: [1], data: [1])
        Optimizer(try SGD(), gradientAccumulationSteps: 2).apply(h, to: [q])
        XCTAssertEqual(flat(q.value), [0])
    }
}

import Foundation
import XCTest
@testable import KerasEngine

final class RegularizerTests: XCTestCase {
    func testHandComputedPenalties() throws {
        let x = Tensor(shape: [2, 2], data: [1, -2, 0, 3])   // Σ|x| = 6, Σx² = 14
        XCTAssertEqual(try L1().penalty(x).scalar, 0.06, accuracy: 1e-7)
        XCTAssertEqual(try L2().penalty(x).scalar, 0.14, accuracy: 1e-7)          // no ½
        XCTAssertEqual(try L1L2().penalty(x).scalar, 0)
        XCTAssertEqual(try L1L2(l1: 0.5, l2: 0.25).penalty(x).scalar, 3 + 3.5, accuracy: 1e-6)
        XCTAssertEqual(try L2(l2: 0.001).l2, 0.001)
        XCTAssertThrowsError(try L2(l2: -1)) { XCTAssertTrue("\($0)".contains("l2"), "\($0)") }
        XCTAssertThrowsError(try L1(l1: .nan))
        XCTAssertThrowsError(try OrthogonalRegularizer(factor: -0.1))
        XCTAssertThrowsError(try OrthogonalRegularizer().validate(shape: [3, 3, 2]))
        // Orthonormal rows have zero penalty; two equal rows give factor·½·2|1|/1 = factor.
        XCTAssertEqual(try OrthogonalRegularizer().penalty(Tensor(shape: [2, 3], data: [1, 0, 0, 0, 2, 0])).scalar, 0)
        XCTAssertEqual(try OrthogonalRegularizer(factor: 0.3).penalty(Tensor(shape: [2, 2], data: [1, 1, 2, 2])).scalar,
                       0.3, accuracy: 1e-6)
    }

    func testAgainstKeras() throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/keras_reference/optim_regularizers", withExtension: "json"),
              let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { return XCTFail("missing optim_regularizers.json") }
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let name = c["name"] as! String, cfg = c["config"] as! [String: Any]
            func f(_ k: String) -> Float { (cfg[k] as! NSNumber).floatValue }
            let reg: any Regularizer
            switch c["class"] as! String {
            case "l1", "L1": reg = try L1(l1: f("l1"))
            case "l2", "L2": reg = try L2(l2: f("l2"))
            case "l1_l2", "L1L2": reg = try L1L2(l1: f("l1"), l2: f("l2"))
            default: reg = try OrthogonalRegularizer(factor: f("factor"), mode: .init(rawValue: cfg["mode"] as! String)!)
            }
            let x = KerasReference.tensor(c["x"])!
            let tape = Tape()
            let tx = tape.watch(x)
            let value = reg.penalty(tx)
            let grad = tape.gradients(of: value, for: [tx])[0]
            XCTAssertEqual(value.scalar, (c["value"] as! NSNumber).floatValue, accuracy: 1e-6, name)
            KerasReference.assertClose(grad, KerasReference.tensor(c["gradient"])!, tolerance: 1e-5, "\(name) gradient")
        }
    }

    func testGradientChecks() throws {
        // Keep away from 0 (the kink of |x|).
        var x = GradientCheck.random([3, 4], seed: 5)
        for i in 0..<x.count where Swift.abs(x[flat: i]) < 0.05 { x[flat: i] = 0.3 }
        let l1l2 = try L1L2(l1: 0.3, l2: 0.7)
        GradientCheck.check(inputs: [x], eps: 1e-2) { l1l2.penalty($0[0]) }
        let rows = try OrthogonalRegularizer(factor: 0.5), cols = try OrthogonalRegularizer(factor: 0.5, mode: .columns)
        GradientCheck.check(inputs: [x], eps: 1e-3) { rows.penalty($0[0]) }
        GradientCheck.check(inputs: [x], eps: 1e-3) { cols.penalty($0[0]) }
        // As a parameter's penalty.
        let p = Parameter(name: "k", value: x, regularizer: try L2(l2: 0.2))
        GradientCheck.check(inputs: [], parameters: [p]) { _ in p.regularizer!.penalty(p.value) }
    }
}

import Foundation
import XCTest
@testable import KerasEngine

/// Every schedule config in `schedules.json` (real Keras) at its fixed steps.
final class ScheduleTests: XCTestCase {
    static func schedule(_ cls: String, _ a: [String: Any]) throws -> any LearningRateSchedule {
        func d(_ k: String) -> Double? { (a[k] as? NSNumber)?.doubleValue }
        func b(_ k: String) -> Bool { a[k] as? Bool ?? false }
        switch cls {
        case "ExponentialDecay":
            return try ExponentialDecay(initialLearningRate: d("initial_learning_rate")!, decaySteps: d("decay_steps")!,
                                        decayRate: d("decay_rate")!, staircase: b("staircase"))
        case "InverseTimeDecay":
            return try InverseTimeDecay(initialLearningRate: d("initial_learning_rate")!, decaySteps: d("decay_steps")!,
                                        decayRate: d("decay_rate")!, staircase: b("staircase"))
        case "PolynomialDecay":
            return try PolynomialDecay(initialLearningRate: d("initial_learning_rate")!, decaySteps: d("decay_steps")!,
                                       endLearningRate: d("end_learning_rate")!, power: d("power")!, cycle: b("cycle"))
        case "PiecewiseConstantDecay":
            return try PiecewiseConstantDecay(boundaries: (a["boundaries"] as! [NSNumber]).map(\.doubleValue),
                                              values: (a["values"] as! [NSNumber]).map(\.doubleValue))
        case "CosineDecay":
            return try CosineDecay(initialLearningRate: d("initial_learning_rate")!, decaySteps: d("decay_steps")!,
                                   alpha: d("alpha")!, warmupTarget: d("warmup_target"), warmupSteps: d("warmup_steps")!)
        case "CosineDecayRestarts":
            return try CosineDecayRestarts(initialLearningRate: d("initial_learning_rate")!,
                                           firstDecaySteps: d("first_decay_steps")!, tMul: d("t_mul")!,
                                           mMul: d("m_mul")!, alpha: d("alpha")!)
        default:
            throw XCTSkip("unknown schedule \(cls)")
        }
    }

    func testEveryScheduleAgainstKeras() throws {
        let cases = try KerasReference.cases("schedules")
        XCTAssertGreaterThanOrEqual(cases.count, 14)
        var compared = 0
        for c in cases {
            let name = c["name"] as! String
            let s = try Self.schedule(c["class"] as! String, c["config"] as! [String: Any])
            for (step, want) in zip(c["steps"] as! [Int], (c["values"] as! [NSNumber]).map(\.floatValue)) {
                let got = s(step: step)
                XCTAssertEqual(got, want, accuracy: 2e-6 * Swift.max(Swift.abs(want), 1e-3), "\(name) at step \(step)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, cases.count * 10)
    }

    /// Extra restart points of SGDR (t_mul 2: restarts at 20, 60, 140) land on the peak exactly.
    func testCosineDecayRestartsPeaksAtRestarts() throws {
        let s = try CosineDecayRestarts(initialLearningRate: 0.1, firstDecaySteps: 20)
        for step in [0, 20, 60, 140, 300] { XCTAssertEqual(s(step: step), 0.1, accuracy: 1e-7, "step \(step)") }
        XCTAssertEqual(s(step: 40), 0.05, accuracy: 1e-7)
    }

    func testValidation() {
        XCTAssertThrowsError(try ExponentialDecay(initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5)) { e in
            XCTAssertTrue("\(e)".contains("decay_steps"), "\(e)")
        }
        XCTAssertThrowsError(try PiecewiseConstantDecay(boundaries: [10, 20], values: [1, 0.5]))
        XCTAssertThrowsError(try CosineDecayRestarts(initialLearningRate: 0.1, firstDecaySteps: -1))
    }

    /// The optimizer asks the schedule with step = iterations before the update.
    func testOptimizerUsesIterationsBeforeUpdate() throws {
        let opt = Optimizer(try SGD(), learningRate: try PiecewiseConstantDecay(boundaries: [0, 1], values: [1, 2, 3]))
        let p = Parameter(name: "w", value: Tensor(shape: [1], data: [0]))
        var lrs: [Float] = []
        for _ in 0..<3 {
            lrs.append(opt.currentLearningRate)
            var g = Gradients(); g[p] = Tensor(shape: [1], data: [1])
            opt.apply(g, to: [p])
        }
        XCTAssertEqual(lrs, [1, 2, 3])
        XCTAssertEqual(p.value.scalars, [-6])
    }
}

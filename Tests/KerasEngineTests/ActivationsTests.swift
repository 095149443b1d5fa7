import XCTest
@testable import KerasEngine

final class ActivationsTests: XCTestCase {
    /// The activation a fixture case describes (Keras function name + kwargs), or nil if the enum lacks it.
    static func makeActivation(_ fn: String, _ kw: [String: Any]) -> Activation? {
        func f(_ k: String) -> Float? { (kw[k] as? Double).map(Float.init) }
        switch fn {
        case "relu": return .relu(negativeSlope: f("negative_slope") ?? 0, maxValue: f("max_value"), threshold: f("threshold") ?? 0)
        case "leaky_relu": return .leakyRelu(negativeSlope: f("negative_slope") ?? 0.2)
        case "elu": return .elu(alpha: f("alpha") ?? 1)
        case "gelu": return .gelu(approximate: kw["approximate"] as? Bool ?? false)
        case "softmax": return .softmax(axis: kw["axis"] as? Int ?? -1)
        case "log_softmax": return .logSoftmax(axis: kw["axis"] as? Int ?? -1)
        default: return kw.isEmpty ? Activation.byName[fn] : nil
        }
    }

    func testEveryActivationMatchesKeras() throws {
        var ran = Set<String>()
        for c in try KerasReference.cases("activations") {
            let name = c["name"] as! String, fn = c["function"] as! String
            guard let act = Self.makeActivation(fn, c["kwargs"] as? [String: Any] ?? [:]) else { continue }
            let x = KerasReference.tensor(c["input"])!, w = KerasReference.tensor(c["w"])!
            let tape = Tape()
            let tx = tape.watch(x)
            let y = act(tx)
            KerasReference.assertClose(y, KerasReference.tensor(c["output"])!, tolerance: 1e-5, "\(name) output")
            let g = tape.gradients(of: sum(y * w), for: [tx])[0]
            KerasReference.assertClose(g, KerasReference.tensor(c["grad_input"])!, tolerance: 1e-5, "\(name) grad")
            ran.insert(act.name)
        }
        // Every case of the enum was compared with Keras.
        let all = Set(Activation.byName.values.map(\.name))
        XCTAssertEqual(ran, all, "not compared: \(all.subtracting(ran))")
    }

    func testGradientCheckEveryActivation() {
        // Values away from every kink (0, +-3, 6, relu threshold 0.5, max_value 5).
        let x = Tensor(shape: [3, 5], data: [-6.5, -2.5, -1.2, -0.4, -0.15, 0.15, 0.35, 0.8, 1.7, 2.6, 3.4, 5.5, 7.0, -4.0, 0.25])
        let acts: [Activation] = Array(Activation.byName.values) + [
            .relu(negativeSlope: 0.1, maxValue: 5, threshold: 0.5), .leakyRelu(negativeSlope: 0.01),
            .elu(alpha: 0.5), .gelu(approximate: true), .softmax(axis: 0), .logSoftmax(axis: 0),
        ]
        for act in acts {
            let r = GradientCheck.check(inputs: [x], eps: 1e-2, tolerance: 2e-2) { act($0[0]) }
            XCTAssertEqual(r.checked, 15, act.name)
        }
    }
}

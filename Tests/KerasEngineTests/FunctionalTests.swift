import XCTest
@testable import KerasEngine

/// A two-output layer for addressing tests: returns [x, 2x].
final class TwinLayer: Layer {
    var name: String
    init(name: String = "twin") { self.name = name }
    var parameters: [Parameter] { [] }
    func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] { [inputShapes[0], inputShapes[0]] }
    func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] { [inputs[0], inputs[0] * 2] }
}

final class FunctionalTests: XCTestCase {
    private func setWeights(_ dense: Dense, kernel: [Float], bias: [Float]) {
        dense.kernel!.value = Tensor(shape: dense.kernel!.shape, data: kernel)
        dense.bias!.value = Tensor(shape: dense.bias!.shape, data: bias)
    }

    func testResidualGraphHandComputed() throws {
        let g = Functional(name: "residual")
        g.addInput(name: "x", shape: [2])
        // Declared out of order on purpose: the build sorts topologically.
        g.add(layer: Add(name: "skip"), inputs: ["x", "h"])
        g.add(layer: Dense(units: 2, name: "h"), inputs: ["x"])
        g.setOutputs(["skip"])
        try g.build(seed: 1)
        XCTAssertEqual(g.nodes.map(\.name), ["h", "skip"])
        XCTAssertEqual(g.outputShapes, [[2]])
        setWeights(g.layers[0] as! Dense, kernel: [1, 2, 3, 4], bias: [0.5, -0.5])
        // x = [1, 1]: h = [1+3+0.5, 2+4-0.5] = [4.5, 5.5]; skip = [5.5, 6.5].
        let y = g.call([Tensor(shape: [1, 2], data: [1, 1])], training: false)
        XCTAssertEqual(y[0].scalars, [5.5, 6.5])
        XCTAssertEqual(g.parameterCount, 6)
    }

    func testSiameseGraphSharesWeightsAndSumsGradients() throws {
        let g = Functional(name: "siamese")
        let left = g.input("left", shape: [3]), right = g.input("right", shape: [3])
        let enc = Dense(units: 2, activation: .tanh, name: "enc")
        let a = enc(left), b = enc(right)
        XCTAssertEqual(b.name, "enc_1")
        g.setOutputs([Subtract(name: "diff")(a, b)])
        try g.build(seed: 3)
        XCTAssertEqual(g.layers.count, 2)
        XCTAssertEqual(g.parameters.count, 2, "the shared layer's weights appear once")
        XCTAssertEqual(g.nodes.map(\.callIndex), [0, 1, 0])
        let l = GradientCheck.random([4, 3], seed: 1), r = GradientCheck.random([4, 3], seed: 2)
        let y = g.call([l, r], training: false)[0]
        XCTAssertTrue(y.isClose(to: enc(l, training: false) - enc(r, training: false)))
        // The gradient of the shared kernel is the sum over both uses.
        let w = GradientCheck.random([4, 2], seed: 5)
        func grad(_ f: () -> Tensor) -> Tensor {
            let tape = Tape()
            for p in enc.parameters { tape.watch(p) }
            return tape.gradients(of: sum(f() * w), for: enc.parameters)[enc.kernel!]!
        }
        let both = grad { g.call([l, r], training: true)[0] }
        let first = grad { enc(l, training: true) }, second = grad { -enc(r, training: true) }
        XCTAssertTrue(both.isClose(to: first + second, tolerance: 1e-5))
        GradientCheck.check(inputs: [l, r], parameters: g.parameters) { g.call($0, training: false)[0] }
    }

    func testMultiOutputNodesAreAddressedByIndex() throws {
        let g = Functional(name: "twins")
        g.addInput(name: "x", shape: [2])
        let twin = g.add(layer: TwinLayer(), inputs: ["x"])
        g.add(layer: Add(name: "sum"), inputs: ["twin", "twin:1"])
        g.setOutputs(["sum", twin[1].name])
        try g.build(seed: 0)
        let out = g.call([Tensor(shape: [1, 2], data: [1, 2])], training: false)
        XCTAssertEqual(out[0].scalars, [3, 6])
        XCTAssertEqual(out[1].scalars, [2, 4])
        XCTAssertEqual(g.outputNames, ["sum", "twin:1"])
    }

    private func graphError(_ configure: (Functional) -> Void) -> String {
        let g = Functional()
        configure(g)
        do { try g.build(seed: 0); return "no error" } catch { return "\(error)" }
    }

    func testGraphErrorsNameTheNode() {
        XCTAssertEqual(graphError { g in
            g.addInput(name: "image", shape: [4])
            g.add(layer: Dense(units: 2, name: "d"), inputs: ["imgae"])
            g.setOutputs(["d"])
        }, "d: unknown input 'imgae' (did you mean 'image'?); known tensors: image, d")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4])
            g.add(layer: Dense(units: 4, name: "a"), inputs: ["c"])
            g.add(layer: Dense(units: 4, name: "b"), inputs: ["a"])
            g.add(layer: Add(name: "c"), inputs: ["x", "b"])
            g.setOutputs(["c"])
        }, "the layers form a cycle: a -> c -> b -> a")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4])
            g.add(layer: Dense(units: 4, name: "d"), name: "x", inputs: ["x"])
            g.setOutputs(["x"])
        }, "the name 'x' is used twice; inputs and layers need unique names")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4]); g.addInput(name: "unused", shape: [4])
            g.add(layer: Dense(units: 4, name: "d"), inputs: ["x"])
            g.setOutputs(["d"])
        }, "input 'unused' is not used by any output")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4])
            g.add(layer: Dense(units: 4, name: "d"), inputs: ["x"])
            g.add(layer: Dense(units: 4, name: "dead"), inputs: ["x"])
            g.setOutputs(["d"])
        }, "dead: this layer does not lead to any output")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4])
            g.add(layer: Dense(units: 3, name: "d"), inputs: ["x"])
            g.add(layer: Add(name: "skip"), inputs: ["x", "d"])
            g.setOutputs(["skip"])
        }, "skip: Inputs have incompatible shapes. Received shapes (4,) and (3,)")
        XCTAssertEqual(graphError { g in
            g.addInput(name: "x", shape: [4])
            g.add(layer: Dense(units: 3, name: "d"), inputs: ["x:1"])
            g.setOutputs(["d"])
        }, "d: 'x:1' asks for an output the layer does not have (it has 1 output)")
        XCTAssertEqual(graphError { g in g.addInput(name: "x", shape: [4]) }, "a functional model needs at least one output")
    }

    func testSharedLayerRejectsAnIncompatibleSecondUse() {
        let message = graphError { g in
            g.addInput(name: "a", shape: [4]); g.addInput(name: "b", shape: [5])
            let enc = Dense(units: 2, name: "enc")
            g.add(layer: enc, inputs: ["a"])
            g.add(layer: enc, name: "enc_b", inputs: ["b"])
            g.add(layer: Concatenate(name: "cat"), inputs: ["enc", "enc_b"])
            g.setOutputs(["cat"])
        }
        XCTAssertEqual(message, "enc_b: expected input with last axis 4, got (None, 5)")
    }

    func testFunctionalTrainsWithFit() throws {
        // y = class of (x0 + x1 > 0), learned through a residual block.
        var rng = RNG(seed: 4)
        let n = 128
        var x = Tensor(shape: [n, 2]), y = Tensor(shape: [n])
        for i in 0..<n {
            let a = Float(rng.normal()), b = Float(rng.normal())
            x[flat: 2 * i] = a; x[flat: 2 * i + 1] = b
            y[flat: i] = a + b > 0 ? 1 : 0
        }
        let g = Functional(name: "res")
        let input = g.input("x", shape: [2])
        let h = Dense(units: 2, activation: .tanh, name: "h")(input)
        let s = Add(name: "skip")(input, h)
        g.setOutputs([Dense(units: 2, activation: .softmax(), name: "probs")(s)])
        try g.build(seed: 2)
        g.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.02)), losses: [SparseCategoricalCrossentropy()])
        let history = try g.fit(Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)]), options: FitOptions(epochs: 15, batchSize: 16, seed: 1))
        XCTAssertLessThan(history.logs.last!["loss"]!, history.logs[0]["loss"]! * 0.6)
    }
}

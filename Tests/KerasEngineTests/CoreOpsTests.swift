import XCTest
@testable import KerasEngine

final class CoreOpsTests: XCTestCase {
    func testMatmulHandComputed() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(matmul(a, b).scalars, [58, 64, 139, 154])
    }

    func testBroadcastAddHandComputed() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], data: [10, 20, 30])
        XCTAssertEqual((a + b).scalars, [11, 22, 33, 14, 25, 36])
        let c = Tensor(shape: [2, 1], data: [100, 200])
        XCTAssertEqual((a * c).scalars, [100, 200, 300, 800, 1000, 1200])
    }

    func testGradientsOfBinaryOpsWithBroadcast() {
        let a = GradientCheck.random([2, 3], seed: 1), b = GradientCheck.random([3], seed: 2)
        let c = GradientCheck.random([2, 1], seed: 3)
        GradientCheck.check(inputs: [a, b]) { $0[0] + $0[1] }
        GradientCheck.check(inputs: [a, b]) { $0[0] - $0[1] }
        GradientCheck.check(inputs: [a, c]) { $0[0] * $0[1] }
        GradientCheck.check(inputs: [a, c + 3]) { $0[0] / $0[1] }
        GradientCheck.check(inputs: [a, b]) { maximum($0[0], $0[1]) }
        GradientCheck.check(inputs: [a, b]) { minimum($0[0], $0[1]) }
    }

    func testGradientsOfMatmulBiasReduceReshape() {
        let x = GradientCheck.random([4, 3], seed: 4), w = GradientCheck.random([3, 5], seed: 5), bias = GradientCheck.random([5], seed: 6)
        GradientCheck.check(inputs: [x, w, bias]) { biasAdd(matmul($0[0], $0[1]), $0[2]) }
        // Fused bias + ReLU; points within eps of the kink are skipped.
        let pre = biasAdd(matmul(x, w), bias)
        GradientCheck.check(inputs: [matmul(x, w), bias], skip: { k, i in k == 0 && Swift.abs(pre[flat: i]) < 0.05 }) { biasAddRelu($0[0], $0[1]) }
        XCTAssertEqual(biasAddRelu(matmul(x, w), bias).scalars, relu(pre).scalars)
        GradientCheck.check(inputs: [GradientCheck.random([2, 3, 3], seed: 8), w]) { matmul($0[0], $0[1]) }
        GradientCheck.check(inputs: [x]) { sum($0[0], axis: 0) }
        GradientCheck.check(inputs: [x]) { mean($0[0], axis: 1, keepDims: true) }
        GradientCheck.check(inputs: [x]) { reshape($0[0], [2, 6]) }
        GradientCheck.check(inputs: [x]) { mean($0[0]) }
        GradientCheck.check(inputs: [x]) { softmax($0[0]) }
        GradientCheck.check(inputs: [x]) { logSoftmax($0[0], axis: 0) }
    }

    func testDenseGradientCheck() throws {
        let dense = Dense(units: 4, activation: .tanh)
        var ctx = BuildContext(rng: RNG(seed: 3))
        _ = try dense.build(inputShapes: [[3]], context: &ctx)
        GradientCheck.check(inputs: [GradientCheck.random([5, 3])], parameters: dense.parameters) { dense($0[0], training: false) }
    }

    func testSparseCategoricalCrossentropyHandComputed() {
        // p = [0.7, 0.2, 0.1] with label 0 -> -log(0.7); [0.1, 0.1, 0.8] label 2 -> -log(0.8).
        let p = Tensor(shape: [2, 3], data: [0.7, 0.2, 0.1, 0.1, 0.1, 0.8])
        let y = Tensor(shape: [2], data: [0, 2])
        let l = SparseCategoricalCrossentropy()(y, p).scalar
        XCTAssertEqual(l, Float((-Foundation.log(0.7) - Foundation.log(0.8)) / 2), accuracy: 1e-6)
        let logits = GradientCheck.random([2, 3], seed: 9)
        GradientCheck.check(inputs: [logits]) { SparseCategoricalCrossentropy(fromLogits: true)(y, $0[0]) }
        GradientCheck.check(inputs: [p], eps: 1e-3) { SparseCategoricalCrossentropy()(y, $0[0]) }
    }

    func testSequentialLearnsSeparableBlobs() throws {
        // Two Gaussian blobs; a small MLP must fit them nearly perfectly.
        var rng = RNG(seed: 11)
        let n = 256
        var x = Tensor(shape: [n, 2]), y = Tensor(shape: [n])
        for i in 0..<n {
            let c = i % 2
            y[flat: i] = Float(c)
            x[flat: 2 * i] = Float(rng.normal()) * 0.5 + (c == 0 ? -1 : 1)
            x[flat: 2 * i + 1] = Float(rng.normal()) * 0.5 + (c == 0 ? 1 : -1)
        }
        let model = Sequential(layers: [Dense(units: 8, activation: .relu()), Dense(units: 2, activation: .softmax())])
        try model.build(inputShapes: [[2]], seed: 1)
        model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
                      losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
        let data = Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])
        let history = try model.fit(data, options: FitOptions(epochs: 20, batchSize: 32, seed: 1))
        XCTAssertEqual(history.logs.count, 20)
        let first = history.logs[0]["loss"]!, last = history.logs[19]["loss"]!
        XCTAssertLessThan(last, first * 0.5)
        XCTAssertGreaterThan(try model.evaluate(data)["accuracy"]!, 0.95)
    }
}

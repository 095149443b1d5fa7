import XCTest
@testable import KerasEngine

/// End to end: recurrent models train through `fit`, dropout and masks included.
final class RecurrentTrainingTests: XCTestCase {
    /// Class = whether the first feature summed over the (unpadded) steps is positive.
    func data(_ n: Int, T: Int = 6, pad: Bool) -> Dataset {
        var rng = RNG(seed: 21)
        var x = Tensor(shape: [n, T, 2]), y = Tensor(shape: [n])
        for i in 0..<n {
            let len = pad ? 3 + i % (T - 2) : T
            var s: Float = 0
            for t in 0..<len {
                let v = Float(rng.normal()); s += v
                x[flat: (i * T + t) * 2] = v; x[flat: (i * T + t) * 2 + 1] = 1
            }
            y[flat: i] = s > 0 ? 1 : 0
        }
        return Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])
    }

    func fitLoss(_ layers: [any Layer], _ d: Dataset) throws -> (first: Double, last: Double, accuracy: Double) {
        let model = Sequential(layers: layers)
        try model.build(inputShapes: [[6, 2]], seed: 4)
        model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
                      losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
        let h = try model.fit(d, options: FitOptions(epochs: 15, batchSize: 32, seed: 2))
        return (h.logs[0]["loss"]!, h.logs.last!["loss"]!, try model.evaluate(d)["accuracy"]!)
    }

    func testLSTMWithDropoutLearns() throws {
        var c = LSTM.Config(units: 8); c.dropout = 0.1; c.recurrentDropout = 0.1
        let r = try fitLoss([LSTM(c), Dense(units: 2, activation: .softmax())], data(256, pad: false))
        XCTAssertLessThan(r.last, r.first * 0.6)
        XCTAssertGreaterThan(r.accuracy, 0.85)
    }

    func testMaskedBidirectionalGRULearns() throws {
        var c = GRU.Config(units: 6); c.dropout = 0.1
        let r = try fitLoss([Masking(), try Bidirectional(GRU(c)), Dense(units: 2, activation: .softmax())], data(256, pad: true))
        XCTAssertLessThan(r.last, r.first * 0.6)
        XCTAssertGreaterThan(r.accuracy, 0.85)
    }
}

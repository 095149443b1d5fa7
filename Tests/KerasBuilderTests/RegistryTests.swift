import KerasText
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Every registry entry builds from YAML, and unknown names fail with a suggestion.
final class RegistryTests: XCTestCase {
    /// An ObjectSpec parsed from a one-line YAML flow value.
    func object(_ yaml: String) throws -> ObjectSpec {
        let spec = try Spec.parse(text: "model:\n  input_shape: [4]\n  layers:\n    - \(yaml)\n", file: "t.yaml")
        guard case let .sequential(s) = spec.model, let first = s.layers.first else { throw XCTSkip("no layer parsed") }
        return first.object
    }

    /// Parses `value` as the optimizer of a compile section.
    func optimizer(_ yaml: String) throws -> ObjectSpec {
        let spec = try Spec.parse(text: "model:\n  input_shape: [4]\n  layers: [{Dense: 2}]\ncompile:\n  optimizer: \(yaml)\n", file: "t.yaml")
        return spec.compile.optimizer
    }

    func testEveryActivationBuilds() throws {
        var built = 0
        for name in ActivationRegistry.table.allNames {
            let a = try ActivationRegistry.table.make(try object(name))
            XCTAssertEqual(Activation.byName[name].map { $0.name }, a.name, name)
            built += 1
        }
        XCTAssertEqual(built, ActivationRegistry.table.allNames.count)
        XCTAssertGreaterThanOrEqual(built, 20)
    }

    func testEveryInitializerBuilds() throws {
        for name in InitializerRegistry.table.allNames {
            var rng = RNG(seed: 1)
            let t = try InitializerRegistry.table.make(try object(name)).make([3, 4], rng: &rng)
            XCTAssertEqual(t.shape, [3, 4], name)
        }
        XCTAssertGreaterThanOrEqual(InitializerRegistry.table.allNames.count, 28)
    }

    func testEveryLossRegularizerScheduleAndOptimizerBuilds() throws {
        for name in LossRegistry.table.allNames { XCTAssertFalse(try LossRegistry.table.make(try object(name)).name.isEmpty, name) }
        for name in RegularizerRegistry.table.allNames { _ = try RegularizerRegistry.table.make(try object(name)) }
        for name in OptimizerRegistry.table.allNames {
            let opt = try OptimizerRegistry.table.make(try optimizer(name))
            XCTAssertGreaterThan(opt.currentLearningRate, 0, name)
        }
        let schedules = [
            "{ExponentialDecay: {initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5}}",
            "{InverseTimeDecay: {initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5}}",
            "{PolynomialDecay: {initial_learning_rate: 0.1, decay_steps: 10}}",
            "{PiecewiseConstantDecay: {boundaries: [5], values: [0.1, 0.01]}}",
            "{CosineDecay: {initial_learning_rate: 0.1, decay_steps: 10}}",
            "{CosineDecayRestarts: {initial_learning_rate: 0.1, first_decay_steps: 10}}",
        ]
        XCTAssertEqual(schedules.count, ScheduleRegistry.table.canonicalNames.count)
        for s in schedules { _ = try ScheduleRegistry.table.make(try object(s)) }
    }

    /// The worked example of docs/ARCHITECTURE.md: one table entry makes the engine's
    /// Softmax layer a spec layer, with its main argument (also what export writes).
    func testSoftmaxLayerEntry() throws {
        let spec = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - Softmax: 1\n", file: "t.yaml")
        let y = try ModelBuilder.build(spec).predict([Tensor(shape: [1, 3], data: [1, 2, 3])])[0]
        XCTAssertEqual(y[flat: 2], 0.66524096, accuracy: 1e-6)
        XCTAssertEqual(LayerRegistry.table.entry(named: "Softmax")?.mainArgument, "axis")
        let typo = try Spec.parse(text: "model:\n  input_shape: [3]\n  layers:\n    - Softmax: {axes: 1}\n", file: "t.yaml")
        XCTAssertThrowsError(try ModelBuilder.build(typo)) { e in
            XCTAssertTrue("\(e)".hasSuffix("(Softmax): unknown argument 'axes' for Softmax; did you mean 'axis'?"), "\(e)")
        }
    }

    func testOptimizerArgumentsAndSchedule() throws {
        let o = try OptimizerRegistry.table.make(try optimizer("{Adam: {learning_rate: {ExponentialDecay: {initial_learning_rate: 0.001, decay_steps: 1000, decay_rate: 0.9}}, clipnorm: 1.0}}"))
        XCTAssertEqual(o.clipnorm, 1.0)
        XCTAssertEqual(o.currentLearningRate, 0.001, accuracy: 1e-9)
        XCTAssertThrowsError(try OptimizerRegistry.table.make(try optimizer("{SGD: {momentm: 0.9}}"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'momentum'"), "\(e)")
        }
        XCTAssertThrowsError(try OptimizerRegistry.table.make(try optimizer("{Adam: {clipnorm: 1, clipvalue: 1}}")))
    }

    func testUnknownNamesSuggest() throws {
        XCTAssertThrowsError(try LossRegistry.table.make(try object("sparse_categorical_crossentrpy"))) { e in
            XCTAssertEqual("\(e)", "t.yaml:4:7: model.layers[0] (sparse_categorical_crossentrpy): unknown loss 'sparse_categorical_crossentrpy'; did you mean 'sparse_categorical_crossentropy'?")
        }
        XCTAssertThrowsError(try ActivationRegistry.table.make(try object("rleu"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'relu'"), "\(e)")
        }
    }

    func testKerasAutoNames() {
        XCTAssertEqual(kerasSnakeCase("Conv2DTranspose"), "conv2d_transpose")
        XCTAssertEqual(kerasSnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d")
        XCTAssertEqual(kerasSnakeCase("LSTM"), "lstm")
        XCTAssertEqual(kerasSnakeCase("BatchNormalization"), "batch_normalization")
        XCTAssertEqual(kerasSnakeCase("Dense"), "dense")
    }
}

import Foundation
import XCTest
@testable import KerasEngine

/// `y = x ⊙ γ`, written as a user would: forward only (the same type as Examples/CustomLayer).
private final class Scale: UnaryLayer {
    var name: String
    private(set) var gamma: Parameter?
    init(name: String = "scale") { self.name = name }
    var parameters: [Parameter] { gamma.map { [$0] } ?? [] }
    func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    func build(inputShape: [Int], context: inout BuildContext) throws {
        if gamma == nil { gamma = Parameter(name: "\(name)/gamma", value: Tensor(shape: [inputShape.last ?? 1], repeating: 1)) }
    }
    func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { x * gamma!.value }
}

/// `dense2(dense1(x) + scale(x))` as a `Model` subclass.
private final class SkipModel: Model, LayerShapeReporting {
    let dense1 = Dense(units: 4, activation: .tanh, name: "dense1")
    let scale = Scale()
    let dense2 = Dense(units: 2, activation: .softmax(), name: "dense2")
    private var shapes = LayerShapeLog()
    init() { super.init(name: "skip_model") }
    override var layers: [any Layer] { [dense1, scale, dense2] }
    override func buildLayers(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let h = try shapes.build(dense1, inputShapes: inputShapes, context: &context)
        _ = try shapes.build(scale, inputShapes: inputShapes, context: &context)
        return try shapes.build(dense2, inputShapes: h, context: &context)
    }
    override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        [dense2(dense1(inputs[0], training: training) + scale(inputs[0], training: training), training: training)]
    }
    func outputShapes(of layer: any Layer) -> [[Int]]? { shapes.outputShapes(of: layer) }
}

final class SubclassTests: XCTestCase {
    func testCustomLayerGetsGradientsFromTheTape() throws {
        let s = Scale()
        var ctx = BuildContext(rng: RNG(seed: 1))
        _ = try s.build(inputShapes: [[3]], context: &ctx)
        s.gamma!.value = GradientCheck.random([3], seed: 4)
        GradientCheck.check(inputs: [GradientCheck.random([5, 3])], parameters: s.parameters) { s($0[0], training: false) }
    }

    func testSubclassedModelTrainsAndSummarizes() throws {
        var rng = RNG(seed: 42)
        let n = 256
        var x = Tensor(shape: [n, 4]), y = Tensor(shape: [n])
        for i in 0..<n {
            var s: Float = 0
            for (j, w) in [Float(1), 1, -1, 0.5].enumerated() { let v = Float(rng.normal()); x[flat: 4 * i + j] = v; s += w * v }
            y[flat: i] = s > 0 ? 1 : 0
        }
        let model = SkipModel()
        try model.build(inputShapes: [[4]], seed: 7)
        XCTAssertEqual(model.parameterCount, 20 + 4 + 10)
        GradientCheck.check(inputs: [GradientCheck.random([3, 4])], parameters: model.parameters) { model.call($0, training: false)[0] }
        model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)), losses: [SparseCategoricalCrossentropy()])
        let history = try model.fit(Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)]), options: FitOptions(epochs: 10, seed: 1))
        XCTAssertLessThan(history.logs.last!["loss"]!, history.logs[0]["loss"]! * 0.7)
        let text = model.summary()
        XCTAssertTrue(text.hasPrefix("Model: \"skip_model\"\n┏"))
        XCTAssertTrue(text.contains("│ scale (Scale)                   │ (None, 4)              │             4 │"), text)
        XCTAssertTrue(text.contains(" Total params: 34 (136.00 B)\n"), text)
    }

    func testCustomLayerRegistry() throws {
        CustomLayers.register("TestScale") { args in
            _ = try args.double("factor", default: 1)
            return Scale(name: args.name)
        }
        defer { CustomLayers.unregister("TestScale") }
        XCTAssertTrue(CustomLayers.names.contains("TestScale"))
        let make = try XCTUnwrap(CustomLayers.maker(for: "TestScale"))
        let layer = try make(CustomLayerArguments(layerType: "TestScale", name: "s1", values: ["factor": .int(2)]))
        XCTAssertEqual(layer.name, "s1")
        XCTAssertEqual(layer.typeName, "Scale")
        XCTAssertThrowsError(try make(CustomLayerArguments(layerType: "TestScale", name: "s", values: ["factor": .string("big")]))) {
            XCTAssertEqual("\($0)", "TestScale: argument 'factor' should be a number, got 'big'")
        }
        let args = CustomLayerArguments(layerType: "T", name: "t", values: ["sizes": .list([.int(1), .int(2)]), "on": .bool(true)])
        XCTAssertEqual(try args.ints("sizes"), [1, 2])
        XCTAssertEqual(try args.bool("on"), true)
        XCTAssertEqual(try args.string("mode", default: "x"), "x")
        XCTAssertThrowsError(try args.int("missing"))
    }

    /// Runs the built `CustomLayerExample` executable (beside the test bundle). `make test`
    /// builds it and sets KERAS_REQUIRE_EXAMPLES=1, so there a missing binary fails.
    func testExampleExecutableRuns() throws {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("CustomLayerExample") }
        guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            if ProcessInfo.processInfo.environment["KERAS_REQUIRE_EXAMPLES"] == "1" {
                return XCTFail("CustomLayerExample not built beside \(dir.path) (swift build --product CustomLayerExample)")
            }
            throw XCTSkip("CustomLayerExample not built beside \(dir.path)")
        }
        let p = Process()
        p.executableURL = exe
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(out.contains("Model: \"skip_model\""), out)
        XCTAssertTrue(out.contains("epoch 10: loss"), out)
        // The YAML half: the custom layer made through CustomLayers, in a functional graph.
        XCTAssertTrue(out.contains("Model: \"skip_from_yaml\""), out)
        XCTAssertTrue(out.contains("│ scale (Scale)       │ (None, 4)         │          4 │ x[0][0]           │"), out)
        // Same layers, same seed, same initialisation order: the subclass and the YAML graph train identically.
        let finals = out.split(separator: "\n").filter { $0.hasPrefix("epoch 10: loss") || $0.hasPrefix("from YAML, epoch 10: loss") }
        XCTAssertEqual(finals.count, 2, out)
        XCTAssertEqual(finals.first?.replacingOccurrences(of: "epoch 10: ", with: ""),
                       finals.last?.replacingOccurrences(of: "from YAML, epoch 10: ", with: ""), out)
    }
}

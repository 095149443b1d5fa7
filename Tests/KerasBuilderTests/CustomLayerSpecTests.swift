import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// `y = x · factor ⊙ γ`: a learned per-feature scale, as a Swift user would write it.
private final class Scale: UnaryLayer {
    var name: String
    let factor: Float
    private(set) var gamma: Parameter?
    init(factor: Float = 1, name: String = "scale") { self.factor = factor; self.name = name }
    var parameters: [Parameter] { gamma.map { [$0] } ?? [] }
    func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    func build(inputShape: [Int], context: inout BuildContext) throws {
        if gamma == nil { gamma = Parameter(name: "\(name)/gamma", value: Tensor(shape: [inputShape.last ?? 1], repeating: 1)) }
    }
    func callAsFunction(_ x: Tensor, training: Bool) -> Tensor { x * gamma!.value * factor }
}

/// Custom layers reach YAML two ways: the engine's `CustomLayers` (plain arguments) and
/// the builder's `LayerRegistry.register` (spec readers).
final class CustomLayerSpecTests: XCTestCase {
    override func setUp() {
        CustomLayers.register("SpecScale") { args in
            let f = try args.double("factor", default: 1)
            guard f > 0 else { throw args.invalid("factor", expected: "a positive number") }
            return Scale(factor: Float(f), name: args.name)
        }
    }
    override func tearDown() { CustomLayers.unregister("SpecScale") }

    private func spec(_ layer: String, functional: Bool = false) throws -> Spec {
        let text = functional
            ? "model:\n  type: functional\n  inputs: [Input: {name: x, shape: [3]}]\n  layers:\n    - \(layer)\n    - Dense: {name: out, units: 2, inputs: s}\n  outputs: [out]\n"
            : "model:\n  input_shape: [3]\n  layers:\n    - \(layer)\n    - Dense: 2\n"
        return try Spec.parse(text: text, file: "c.yaml")
    }

    private func buildError(_ s: Spec) -> String {
        do { _ = try ModelBuilder.build(s); return "no error" } catch { return "\(error)" }
    }

    func testCustomLayerFromTheEngineRegistry() throws {
        let model = try ModelBuilder.build(try spec("SpecScale: {factor: 2}"), seed: 1)
        let scale = try XCTUnwrap(model.layers.first as? Scale)
        XCTAssertEqual(scale.factor, 2)
        XCTAssertEqual(scale.name, "scale", "Keras names a layer after its class (Scale), not the registered name")
        XCTAssertEqual(model.parameterCount, 3 + 8)
        let y = model.predict([Tensor(shape: [1, 3], data: [1, 2, 3])])[0]
        XCTAssertEqual(y.shape, [1, 2])

        let g = try ModelBuilder.build(try spec("SpecScale: {name: s, factor: 3, inputs: x}", functional: true), seed: 1)
        XCTAssertEqual((g.layers.first as? Scale)?.factor, 3)
        XCTAssertEqual(g.layers.first?.name, "s")
        XCTAssertEqual(try ModelBuilder.build(try spec("SpecScale"), seed: 1).layers.count, 2, "a bare name takes the defaults")
    }

    func testCustomLayerErrorsAreLocated() throws {
        XCTAssertEqual(buildError(try spec("SpecScale: {factor: big}")),
                       "c.yaml:4:27: model.layers[0] (SpecScale): SpecScale: argument 'factor' should be a number, got 'big'")
        XCTAssertEqual(buildError(try spec("SpecScale: {factor: -1}")),
                       "c.yaml:4:27: model.layers[0] (SpecScale): SpecScale: argument 'factor' should be a positive number, got -1")
        XCTAssertEqual(buildError(try spec("SpecScale: {factr: 2}")),
                       "c.yaml:4:19: model.layers[0] (SpecScale): unknown argument 'factr' for SpecScale; did you mean 'factor'?")
        XCTAssertEqual(buildError(try spec("SpecScale: {factor: {a: 1}}")),
                       "c.yaml:4:27: model.layers[0] (SpecScale): argument 'factor' must be a number, a boolean, a string or a list of them, got a map")
        XCTAssertEqual(buildError(try spec("SpecScale: 2")),
                       "c.yaml:4:18: model.layers[0] (SpecScale): SpecScale is a custom layer: give its arguments as a map {name: value}, got 2")
        XCTAssertEqual(buildError(try spec("SpecScal: {factor: 2}")),
                       "c.yaml:4:7: model.layers[0] (SpecScal): unknown layer 'SpecScal'; did you mean 'SpecScale'?")
    }

    func testSwiftUserRegistersThroughTheBuilderRegistry() throws {
        LayerRegistry.register(["BuilderScale", "builder_scale"]) { o in
            let r = try o.reader(mainArgument: "factor")
            let f = try r.double("factor", default: 1)
            try r.finish()
            return Scale(factor: Float(f), name: "builder_scale")
        }
        let model = try ModelBuilder.build(try spec("BuilderScale: 4"), seed: 1)
        XCTAssertEqual((model.layers.first as? Scale)?.factor, 4)
        XCTAssertEqual(buildError(try spec("builder_scale: {factr: 2}")),
                       "c.yaml:4:23: model.layers[0] (builder_scale): unknown argument 'factr' for builder_scale; did you mean 'factor'?")
    }

    func testArgumentValuesConvert() throws {
        final class Box: @unchecked Sendable { var values: [String: ArgValue] = [:] }
        let seen = Box()
        CustomLayers.register("Probe") { args in
            seen.values = args.values
            return Scale(name: args.name)
        }
        defer { CustomLayers.unregister("Probe") }
        _ = try ModelBuilder.build(try spec("Probe: {name: p, a: 1, b: 2.5, c: true, d: text, e: [1, [2, x]], f: null}"))
        XCTAssertEqual(seen.values, ["a": .int(1), "b": .double(2.5), "c": .bool(true), "d": .string("text"),
                              "e": .list([.int(1), .list([.int(2), .string("x")])])])
    }
}

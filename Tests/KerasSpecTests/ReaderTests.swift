import Testing
import KerasSpec

/// Parses `text` and returns the first layer of a sequential model.
private func layer(_ yaml: String) throws -> LayerSpec {
    let spec = try Spec.parse(text: "model:\n  layers:\n    - " + yaml + "\n", file: "t.yaml")
    guard case .sequential(let model) = spec.model else { throw SpecError(file: "t.yaml", message: "not sequential") }
    return model.layers[0]
}

private func failure(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return "\(error)"
    }
}

@Test func scalarsFollowTheCoreSchema() {
    let cases: [(String, ScalarValue)] = [
        ("", .null), ("~", .null), ("null", .null), ("true", .bool(true)), ("False", .bool(false)),
        ("3", .int(3)), ("-4", .int(-4)), ("+7", .int(7)), ("0x1F", .int(31)), ("0o17", .int(15)),
        ("1e-3", .float(0.001)), (".5", .float(0.5)), ("0.001", .float(0.001)), ("5.", .float(5)),
        ("-.inf", .float(-.infinity)), (".inf", .float(.infinity)), ("2.5E+2", .float(250)),
        ("relu", .string("relu")), ("yes", .string("yes")), ("1.2.3", .string("1.2.3")),
        ("e5", .string("e5")), ("-", .string("-")), ("history.csv", .string("history.csv")),
    ]
    for (text, value) in cases { #expect(Scalar.resolve(plain: text) == value, "\(text)") }
    if case .float(let nan) = Scalar.resolve(plain: ".nan") { #expect(nan.isNaN) } else { Issue.record(".nan") }
    #expect(Scalar(raw: "3", quoted: true).value == .string("3"))
    #expect(Scalar.resolve(plain: "99999999999999999999") == .float(1e20))
    #expect(Scalar(raw: "99999999999999999999", quoted: false).isIntegerLiteral)
}

@Test func readerGettersAndDefaults() throws {
    let conv = try layer("Conv2D: {filters: 8, kernel_size: [3, 5], strides: 2, use_bias: false, rate: 1, name: c}")
    let args = try conv.reader()
    #expect(try args.positiveInt("filters") == 8)
    #expect(try args.intOrTuple("kernel_size", count: 2) == [3, 5])
    #expect(try args.intOrTuple("strides", count: 2, default: [1, 1]) == [2, 2])
    #expect(try args.intOrTuple("dilation_rate", count: 2, default: [1, 1]) == [1, 1])
    #expect(try args.bool("use_bias", default: true) == false)
    #expect(try args.double("rate") == 1.0)
    #expect(try args.oneOf("padding", ["valid", "same"], default: "valid") == "valid")
    try args.finish()   // `name` was consumed by the spec layer
}

@Test func readerErrorsAreLocated() throws {
    let dense = try layer("Dense: {units: 4, kernel_size: [3, 3, 3]}")
    #expect(failure { _ = try dense.reader().intOrTuple("kernel_size", count: 2) }
            == "t.yaml:3:38: model.layers[0] (Dense): kernel_size must be a positive integer or a list of 2 positive integers, got a list of 3")
    let shape = try layer("Reshape: {target_shape: [4, -1]}")
    #expect(failure { _ = try shape.reader().shape("target_shape") }
            == "t.yaml:3:35: model.layers[0] (Reshape): target_shape must be a shape (a list of positive integers), got -1 at [1]")
    let dropout = try layer("Dropout: 1.5")
    #expect(failure { _ = try dropout.reader(mainArgument: "rate").doubleInRange("rate", 0, 1, upperInclusive: false) }
            == "t.yaml:3:16: model.layers[0] (Dropout): rate must be a number in [0, 1), got 1.5")
    let flatten = try layer("Flatten")
    #expect(failure { try flatten.reader().finish() } == "no error")
    #expect(failure { _ = try flatten.reader().required("units", .positiveInt) }
            == "t.yaml:3:7: model.layers[0] (Flatten): missing required argument 'units' for Flatten")
    let typo = try layer("Dense: {unts: 3}")
    #expect(failure { _ = try typo.reader().required("units", .positiveInt) }
            == "t.yaml:3:15: model.layers[0] (Dense): unknown argument 'unts' for Dense; did you mean 'units'?")
    let listed = try layer("Dense: {units: 3, colour: red}")
    #expect(failure {
        let args = try listed.reader()
        _ = try args.positiveInt("units")
        _ = try args.object("activation")
        try args.finish()
    } == "t.yaml:3:25: model.layers[0] (Dense): unknown argument 'colour' for Dense (expected one of: units, activation)")
}

@Test func nestedObjectsAndLists() throws {
    let dense = try layer("Dense: {units: 3, activation: {LeakyReLU: {negative_slope: 0.1}}, names: [a, b]}")
    let args = try dense.reader()
    let activation = try #require(try args.object("activation"))
    #expect(activation.name == "LeakyReLU")
    #expect(activation.error("bad").description
            == "t.yaml:3:37: model.layers[0].activation (LeakyReLU): bad")
    #expect(try args.stringOrStringList("names") == ["a", "b"])
    #expect(try args.objects("missing").isEmpty)
}

@Test func sequentialInputLayerAndNameRules() throws {
    let spec = try Spec.parse(text: """
        model:
          layers:
            - Input: {shape: [28, 28]}
            - Flatten
            - Dense: {units: 10, name: out}
        """, file: "specs/x.yml")
    guard case .sequential(let model) = spec.model else { Issue.record("model"); return }
    #expect(model.inputShape == [28, 28])
    #expect(model.layers.map(\.kind) == ["Flatten", "Dense"])
    #expect(model.layers[1].name == "out")
    #expect(spec.name == "x")
    #expect(spec.resolve("a.csv") == "specs/a.csv")
    #expect(failure { _ = try Spec.parse(text: "model:\n  layers: [Dense: {units: 1, inputs: x}]\n", file: "s.yaml") }
            == "s.yaml:2:30: model.layers[0] (Dense): inputs is only for functional models (add 'type: functional' to model)")
}

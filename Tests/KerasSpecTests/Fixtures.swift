import Foundation
import KerasSpec

/// Loads fixtures from the test bundle, naming them by their path under `Fixtures/` so
/// that expected error texts do not depend on where the bundle lives.
enum Fixtures {
    static func bytes(_ relative: String) -> [UInt8]? {
        guard let base = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else { return nil }
        guard let data = try? Data(contentsOf: base.appendingPathComponent(relative)) else { return nil }
        return [UInt8](data)
    }

    /// Parses and types the fixture; the error (if any) names it `relative`.
    static func spec(_ relative: String) throws(SpecError) -> Spec {
        guard let bytes = bytes(relative) else {
            throw SpecError(file: relative, message: "fixture missing from the test bundle")
        }
        let root = try YAML.parse(bytes: bytes, file: relative)
        return try Spec(root: root, file: relative)
    }
}

/// A stand-in for the builder: reads each layer's arguments through `ArgReader` the way
/// the real builder does, so that reader errors can be checked on fixtures.
enum MiniBuilder {
    static func check(_ spec: Spec) throws(SpecError) {
        let layers: [LayerSpec]
        switch spec.model {
        case .sequential(let model): layers = model.layers
        case .functional(let model): layers = model.layers
        case .kerasJSON: layers = []
        }
        for layer in layers { try check(layer) }
    }

    static func check(_ layer: LayerSpec) throws(SpecError) {
        switch layer.kind {
        case "Dense":
            let args = try layer.reader(mainArgument: "units")
            _ = try args.required("units", .positiveInt)
            _ = try args.object("activation")
            _ = try args.bool("use_bias", default: true)
            _ = try args.object("kernel_regularizer")
            try args.finish()
        case "Dropout":
            let args = try layer.reader(mainArgument: "rate")
            _ = try args.required("rate", .range(0, 1, upperInclusive: false))
            try args.finish()
        case "Conv2D":
            let args = try layer.reader()
            _ = try args.required("filters", .positiveInt)
            _ = try args.required("kernel_size", .intOrTuple(count: 2))
            _ = try args.intOrTuple("strides", count: 2, default: [1, 1])
            _ = try args.oneOf("padding", ["valid", "same"], default: "valid")
            _ = try args.object("activation")
            try args.finish()
        default:
            let args = try layer.reader()
            for key in args.keys { _ = args.node(key) }
            try args.finish()
        }
    }
}

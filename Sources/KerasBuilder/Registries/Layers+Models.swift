import KerasEngine
import KerasSpec
import KerasText

extension LayerRegistry {
    /// Models used as layers (``NestedModelSpec``): `Sequential` and `Functional` written
    /// in the spec (Keras files nest them as ConvNeXt's stem does), and `Model`, a saved
    /// model (`.keras`/`.h5` file or model directory) with its weights — transfer
    /// learning's backbone. `trainable: false` freezes its weights and runs it in
    /// inference mode.
    static let models: [Registry<any Layer>.Entry] = [
        .init(["Sequential", "Functional", "Model"], { o in
            let r = try o.reader()
            let nested = try NestedModelSpec.read(o, r)
            let trainable = try r.bool("trainable", default: true)
            try r.finish()
            let name = o.instanceName ?? kerasSnakeCase(o.name)
            switch nested {
            case let .inline(spec):
                return SpecModelLayer(try ModelBuilder.nested(spec, name: name), spec: spec, name: name, trainable: trainable)
            case let .saved(path, layerName):
                guard let load = ModelBuilder.savedModelLoader else {
                    throw o.error("a saved model as a layer needs a program that reads Keras files (kerasctl does)", at: path.node)
                }
                let model: Model, spec: ModelSpec
                do { (model, spec) = try load(path) } catch let e as SpecError { throw e } catch {
                    throw o.error("cannot use \(path.original) as a layer: \(error)", at: path.node)
                }
                guard let layerName else { return SpecModelLayer(model, spec: spec, name: name, trainable: trainable) }
                let nested = model.layers.compactMap { $0 as? SpecModelLayer }
                guard let inner = nested.first(where: { $0.name == layerName }) else {
                    throw o.error(unknownName("\(path.original) has no nested model '\(layerName)'", layerName, among: nested.map(\.name),
                                              otherwise: nested.isEmpty ? " (it nests no models)" : " (its nested models: \(nested.map(\.name).joined(separator: ", ")))"),
                                  at: o.args?["layer"] ?? o.node)
                }
                return SpecModelLayer(inner.model, spec: inner.spec, name: name, trainable: trainable)
            }
        }),
    ]
}

/// A model used as a layer, with the spec it was built from (for `.keras` export).
public final class SpecModelLayer: ModelLayer {
    /// The inner model's spec (sequential or functional).
    public let spec: ModelSpec

    public init(_ model: Model, spec: ModelSpec, name: String, trainable: Bool) {
        self.spec = spec
        super.init(model, name: name, trainable: trainable)
    }
}

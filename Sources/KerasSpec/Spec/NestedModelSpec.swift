/// A model used as a layer, as Keras users nest them (a Sequential stem inside a
/// functional model, a saved backbone under a new head):
///
/// ```yaml
/// - Sequential: {name: stem, inputs: [x], layers: [{Conv2D: ...}, LayerNormalization]}
/// - Functional: {name: block, inputs: [x], model: {inputs: [...], layers: [...], outputs: [...]}}
/// - Model: {name: backbone, inputs: [x], path: backbone.keras, trainable: false}
/// ```
/// `Model`'s `path` is a `.keras`/`.h5` file or a model directory (`train -o DIR`),
/// relative to the spec's folder; its weights come with it. `layer: features` takes the
/// model nested under that name in the saved model instead of the whole (Keras's
/// `load_model(path).get_layer("features")`): a backbone without its old head.
public enum NestedModelSpec: Sendable {
    /// A model written in the spec (`Sequential`, `Functional`).
    case inline(ModelSpec)
    /// A saved model: its file or model directory, and the nested model to take from it.
    case saved(DataPath, layer: String?)

    /// Reads the model part of the nested-model layer `o` from its reader `r` (the
    /// caller reads the other arguments, such as `trainable`, and finishes `r`).
    public static func read(_ o: ObjectSpec, _ r: ArgReader) throws(SpecError) -> NestedModelSpec {
        switch o.name {
        case "Sequential":
            return .inline(.sequential(try SequentialModelSpec(args: r, node: o.args ?? o.node)))
        case "Functional":
            guard let node = r.node("model"), !node.isNull else { throw r.missing("model") }
            r.markUsed("model")
            let model = try ModelSpec(node: node, folder: Spec.folder(of: node.mark.file))
            if case .kerasJSON = model { return .inline(model) }
            guard case .functional = model else {
                throw r.error("model of a Functional layer must be a functional graph {inputs, layers, outputs} (use Sequential for a stack)", at: node)
            }
            return .inline(model)
        default:
            guard let path = try r.string("path") else { throw r.missing("path") }
            let node = r.node("path") ?? o.node
            let layer = try r.string("layer")
            return .saved(DataPath(original: path, resolved: resolve(path, in: Spec.folder(of: node.mark.file)), node: node), layer: layer)
        }
    }
}

import KerasText

/// One value for the whole model, or one per named output (`loss: {probs: ..., size: mse}`).
public enum PerOutput<T> {
    case all(T)
    case byOutput([Named<T>])
}

extension PerOutput: Sendable where T: Sendable {}

/// The `compile` section, with Keras's defaults: `rmsprop`, no loss, no metrics.
///
/// A map is read per output when every key is an output name of a functional model
/// (or, for a Keras JSON model whose outputs are not known yet, when it has several keys);
/// otherwise it is one object (`loss: {CategoricalCrossentropy: {from_logits: true}}`).
public struct CompileSpec: Sendable {
    /// The optimizer; `rmsprop` (synthesised at the `compile` mark) when not given.
    public let optimizer: ObjectSpec
    /// The loss; required by `train`, not here.
    public let loss: PerOutput<ObjectSpec>?
    /// Per-output weights of the loss.
    public let lossWeights: PerOutput<Double>?
    /// Metrics; `.all([])` when not given.
    public let metrics: PerOutput<[ObjectSpec]>
    /// The `compile` node, or nil when the section is absent.
    public let node: Node?

    /// Keras's defaults, with a synthesised `rmsprop` located at `mark`.
    init(defaultsAt mark: Mark) {
        let rmsprop = Node(.scalar(Scalar(raw: "rmsprop", quoted: false)), mark: mark,
                           path: NodePath.root.appending(key: "compile").appending(key: "optimizer"))
        optimizer = ObjectSpec(bareName: "rmsprop", node: rmsprop, path: "compile.optimizer")
        loss = nil
        lossWeights = nil
        metrics = .all([])
        node = nil
    }

    init(node: Node, outputs: [String]?) throws(SpecError) {
        let args = try ArgReader(section: node, path: "compile")
        let defaults = CompileSpec(defaultsAt: node.mark)
        optimizer = try args.object("optimizer") ?? defaults.optimizer
        loss = try CompileSpec.perOutput(args, "loss", outputs: outputs) { item, path throws(SpecError) in
            try ObjectSpec(node: item, path: path)
        }
        lossWeights = try CompileSpec.perOutput(args, "loss_weights", outputs: outputs, scalarsAreAll: true) { item, path throws(SpecError) in
            guard let value = item.scalar.flatMap({ scalar -> Double? in
                switch scalar.value {
                case .int(let value): return Double(value)
                case .float(let value) where value.isFinite: return value
                default: return nil
                }
            }) else {
                throw item.error("loss_weights must be a number or a map from output name to number, got \(item.got)", path: "compile")
            }
            return value
        }
        metrics = try CompileSpec.perOutput(args, "metrics", outputs: outputs) { item, path throws(SpecError) in
            guard let items = item.items else { return [try ObjectSpec(node: item, path: path)] }
            var result: [ObjectSpec] = []
            for (index, metric) in items.enumerated() {
                result.append(try ObjectSpec(node: metric, path: "\(path)[\(index)]"))
            }
            return result
        } ?? .all([])
        self.node = node
        try args.finish()
    }

    /// Reads `key` as one value or as a map from output name to value.
    private static func perOutput<T>(
        _ args: ArgReader, _ key: String, outputs: [String]?, scalarsAreAll: Bool = false,
        read: (Node, String) throws(SpecError) -> T
    ) throws(SpecError) -> PerOutput<T>? {
        guard let node = args.node(key), !node.isNull else { return nil }
        let path = "compile.\(key)"
        guard let entries = node.entries, !entries.isEmpty else { return .all(try read(node, path)) }
        let names = entries.map(\.name)
        let allOutputs = outputs.map { known in !known.isEmpty && names.allSatisfy(known.contains) } ?? (entries.count > 1)
        let forceMap = scalarsAreAll || (entries.count > 1 && !(outputs?.isEmpty ?? true))
        if !allOutputs {
            if forceMap, let known = outputs, let bad = entries.first(where: { !known.contains($0.name) }) {
                let list = known.isEmpty ? "the model has no named outputs" : "outputs are \(known.joined(separator: ", "))"
                throw args.error("unknown output '\(bad.name)' in \(key)\(didYouMean(bad.name, among: known)) (\(list))", at: bad.key)
            }
            return .all(try read(node, path))
        }
        var result: [Named<T>] = []
        for entry in entries {
            result.append(Named(name: entry.name, value: try read(entry.value, "\(path).\(entry.name)"), node: entry.value))
        }
        return .byOutput(result)
    }
}

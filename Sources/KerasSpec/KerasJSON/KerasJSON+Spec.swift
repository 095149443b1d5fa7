/// A whole spec for a Keras model: what `predict` and `evaluate` need besides the model.
extension KerasModelJSON {
    /// The spec `{name, model, compile}` of this model. `compile` comes from the Keras
    /// file's `compile_config` when its loss and metrics translate (a loss name or a
    /// serialized loss, a list of metric names or objects); otherwise it is left out.
    public func spec(file: String) throws(SpecError) -> Spec {
        var entries: [(String, Mark, Node)] = [
            ("name", modelNode.mark, .string(name, at: modelNode.mark)),
            ("model", modelNode.mark, modelNode),
        ]
        if let compile = KerasJSON.compileNode(root["compile_config"]) {
            entries.append(("compile", compile.mark, compile))
        }
        return try Spec(root: .map(entries, at: root.mark), file: file)
    }
}

extension KerasJSON {
    /// `compile_config` → `{loss, metrics}`, or nil when it does not translate.
    static func compileNode(_ config: Node?) -> Node? {
        guard let config, config.entries != nil, let loss = config["loss"], !loss.isNull,
              let lossNode = try? compileObject(loss) else { return nil }
        var entries: [(String, Mark, Node)] = [("loss", loss.mark, lossNode)]
        if let metrics = config["metrics"], !metrics.isNull {
            guard let items = metrics.items else { return nil }
            var out: [Node] = []
            for item in items {
                guard let m = try? compileObject(item) else { return nil }
                out.append(m)
            }
            entries.append(("metrics", metrics.mark, .list(out, at: metrics.mark)))
        }
        return .map(entries, at: config.mark)
    }

    /// A loss or metric: a name stays a name; a serialized object loses its `name`,
    /// `dtype` and default `reduction`.
    static func compileObject(_ node: Node) throws(SpecError) -> Node {
        if node.string != nil { return node }
        let (className, classNode, config) = try classAndConfig(node, path: "compile_config")
        var args: [(String, Mark, Node)] = []
        for entry in config?.entries ?? [] {
            if entry.name == "name" || dropped(entry.name, entry.value) { continue }
            if entry.name == "reduction", entry.value.string == "sum_over_batch_size" { continue }
            args.append((entry.name, entry.key.mark, try value(entry.value, path: "compile_config", key: entry.name)))
        }
        return .object(className, nameMark: classNode.mark, args: args, at: node.mark)
    }
}

/// Reading a functional model's wiring: `inbound_nodes` entries and the
/// `input_layers` / `output_layers` lists.
extension KerasJSON {
    /// What one call of a layer passes: its positional arguments (Keras tensors and, for
    /// `keras.ops` operations, numbers) and the keyword arguments kept as spec arguments. Keras 3 writes a
    /// call as `{"args": [...], "kwargs": {...}}` with tensors `{"class_name":
    /// "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}` (possibly
    /// inside lists); older Keras writes `[[layer, node, tensor, {kwargs}], ...]`.
    ///
    /// Keyword arguments: the attention layers' tensors `query`, `value`, `key` join the
    /// positional arguments in that order (Keras's call order); `attention_mask` and the
    /// flags `training`, `use_causal_mask`, `return_attention_scores` become spec arguments
    /// (``CallKeyword``).
    static func callArgs(_ call: Node, path: String) throws(SpecError) -> (args: [CallArg], keywords: [CallKeyword]) {
        var args: [CallArg] = []
        var keywords: [CallKeyword] = []
        if call.entries != nil {
            for entry in call.entries ?? [] {
                switch entry.name {
                case "args":
                    for item in entry.value.items ?? [entry.value] { try collectArgs(item, into: &args, path: path, top: true) }
                case "kwargs": try checkKwargs(entry.value, path: path, keywords: &keywords)
                default: throw entry.key.error("unexpected key '\(entry.name)' in an inbound node (expected args, kwargs)", path: path)
                }
            }
        } else if let items = call.items {
            for item in items {
                guard let parts = item.items, parts.count >= 3 else {
                    throw item.error("an inbound tensor must be [layer, node, tensor, kwargs], got \(item.got)", path: path)
                }
                args.append(.tensor(try ref(parts, at: item, path: path)))
                if parts.count > 3 { try checkKwargs(parts[3], path: path, keywords: &keywords) }
            }
        } else {
            throw call.error("an inbound node must be a map {args, kwargs} or a list, got \(call.got)", path: path)
        }
        for name in positionalKeywords {
            for case let .tensor(name: n, ref) in keywords where n == name { args.append(.tensor(ref)) }
        }
        keywords.removeAll { if case let .tensor(name, _) = $0 { positionalKeywords.contains(name) } else { false } }
        if !args.contains(where: { if case .tensor = $0 { true } else { false } }) {
            throw call.error("an inbound node has no input tensors", path: path)
        }
        return (args, keywords)
    }

    /// Every Keras tensor in `node`, depth first; at the top level of `args`, numbers too
    /// (the constant operands of an operation such as `x + 3.0`).
    static func collectArgs(_ node: Node, into args: inout [CallArg], path: String, top: Bool = false) throws(SpecError) {
        if let items = node.items {
            for item in items { try collectArgs(item, into: &args, path: path) }
            return
        }
        if top, node.doubleValue != nil {
            args.append(.constant(node))
            return
        }
        guard node["class_name"]?.string == "__keras_tensor__",
              let history = node["config"]?["keras_history"], let parts = history.items else {
            throw node.error("a call argument that is not a Keras tensor or a number is not supported, got \(node.got)", path: path)
        }
        args.append(.tensor(try ref(parts, at: history, path: path)))
    }

    /// `[layer, node, tensor]` as a reference.
    static func ref(_ parts: [Node], at node: Node, path: String) throws(SpecError) -> TensorRef {
        guard parts.count >= 3, let layer = parts[0].string, let k = parts[1].intValue, let t = parts[2].intValue,
              k >= 0, t >= 0 else {
            throw node.error("a tensor reference must be [layer name, node index, tensor index], got \(node.got)", path: path)
        }
        return TensorRef(layer: layer, node: k, tensor: t, mark: parts[0].mark)
    }

    /// The attention layers' tensor keywords that are positional in Keras's call order
    /// (keras_hub's TransformerDecoder: decoder_sequence, encoder_sequence).
    static let positionalKeywords = ["query", "value", "key", "decoder_sequence", "encoder_sequence"]
    /// The attention layers' keyword arguments kept as spec arguments.
    static let tensorKeywords: Set<String> = ["attention_mask"]
    /// The boolean keyword arguments kept as spec arguments (`layer(x, training=False)`).
    static let flagKeywords: Set<String> = ["training", "use_causal_mask", "return_attention_scores"]

    /// Call keyword arguments: the flags and the attention layers' tensors go to
    /// `keywords`; `mask` (the Keras masks Keras passed, written as tensors of the ops that
    /// computed them) is read and dropped: kerasctl computes the same masks by Keras's
    /// `compute_mask` rules as the values flow, and the mask-only operations are pruned
    /// (``prunedDeadOperations``). Any other must be `null` (Keras's default).
    static func checkKwargs(_ node: Node, path: String, keywords: inout [CallKeyword]) throws(SpecError) {
        if node.isNull { return }
        guard let entries = node.entries else {
            throw node.error("call keyword arguments must be a map, got \(node.got)", path: path)
        }
        for entry in entries where !entry.value.isNull {
            if entry.name == "mask" {
                var found: [CallArg] = []
                try collectArgs(entry.value, into: &found, path: path)
                continue
            }
            if positionalKeywords.contains(entry.name) || tensorKeywords.contains(entry.name) {
                var found: [CallArg] = []
                try collectArgs(entry.value, into: &found, path: path)
                guard found.count == 1, case let .tensor(ref) = found[0] else {
                    throw entry.value.error("call argument '\(entry.name)' must be one Keras tensor", path: path)
                }
                keywords.append(.tensor(name: entry.name, ref))
                continue
            }
            if flagKeywords.contains(entry.name), entry.value.boolValue != nil {
                keywords.append(.option(name: entry.name, entry.value))
                continue
            }
            throw entry.key.error("call argument '\(entry.name)' is not supported", path: path)
        }
    }

    /// The calls without the `keras.ops` operations whose results nothing reads (after the
    /// `mask` keywords were dropped, those that computed Keras masks). Operations have no
    /// weights, so no weight is lost.
    static func prunedDeadOperations(_ calls: [Call], items: [Node], names: [String], outputs: [TensorRef]) -> [Call] {
        var live = calls
        while true {
            var read = Set(outputs.map(\.layer))
            for c in live { for r in c.reads { read.insert(r.layer) } }
            let dead = live.firstIndex { c in
                isOperation(items[c.layerIndex]) && !read.contains(names[c.layerIndex])
            }
            guard let dead else { return live }
            live.remove(at: dead)
        }
    }

    /// `input_layers` / `output_layers`: one `[name, node, tensor]` or a list of them.
    static func endpoints(_ node: Node?, key: String, in config: Node) throws(SpecError) -> [TensorRef] {
        if let node, node.entries != nil {
            // Keras writes a dict of inputs (a FeatureSpace inference model's raw columns, kerasctl's own export).
            throw node.error("\(key) is a dict of named inputs (as in a FeatureSpace model taking raw columns), which kerasctl cannot read: it reads functional models whose \(key) is a list", path: "config.\(key)")
        }
        guard let node, let items = node.items, !items.isEmpty else {
            throw config.error("the functional config needs \"\(key)\": [[name, 0, 0], ...]", path: "config")
        }
        if items[0].string != nil { return [try ref(items, at: node, path: "config.\(key)")] }
        var refs: [TensorRef] = []
        for item in items {
            guard let parts = item.items else {
                throw item.error("\(key) entries must be [name, node, tensor], got \(item.got)", path: "config.\(key)")
            }
            refs.append(try ref(parts, at: item, path: "config.\(key)"))
        }
        return refs
    }
}

/// Reading a functional model's wiring: `inbound_nodes` entries and the
/// `input_layers` / `output_layers` lists.
extension KerasJSON {
    /// The tensors one call of a layer consumes. Keras 3 writes a call as
    /// `{"args": [...], "kwargs": {...}}` with tensors `{"class_name": "__keras_tensor__",
    /// "config": {"keras_history": [layer, node, tensor]}}` (possibly inside lists); older
    /// Keras writes `[[layer, node, tensor, {kwargs}], ...]`.
    static func tensorRefs(_ call: Node, path: String) throws(SpecError) -> [TensorRef] {
        var refs: [TensorRef] = []
        if call.entries != nil {
            for entry in call.entries ?? [] {
                switch entry.name {
                case "args": try collectTensors(entry.value, into: &refs, path: path)
                case "kwargs": try checkKwargs(entry.value, path: path)
                default: throw entry.key.error("unexpected key '\(entry.name)' in an inbound node (expected args, kwargs)", path: path)
                }
            }
        } else if let items = call.items {
            for item in items {
                guard let parts = item.items, parts.count >= 3 else {
                    throw item.error("an inbound tensor must be [layer, node, tensor, kwargs], got \(item.got)", path: path)
                }
                refs.append(try ref(parts, at: item, path: path))
                if parts.count > 3 { try checkKwargs(parts[3], path: path) }
            }
        } else {
            throw call.error("an inbound node must be a map {args, kwargs} or a list, got \(call.got)", path: path)
        }
        if refs.isEmpty { throw call.error("an inbound node has no input tensors", path: path) }
        return refs
    }

    /// Every Keras tensor in `node`, depth first. Other values are not supported as call
    /// arguments.
    static func collectTensors(_ node: Node, into refs: inout [TensorRef], path: String) throws(SpecError) {
        if let items = node.items {
            for item in items { try collectTensors(item, into: &refs, path: path) }
            return
        }
        guard node["class_name"]?.string == "__keras_tensor__",
              let history = node["config"]?["keras_history"], let parts = history.items else {
            throw node.error("a call argument that is not a Keras tensor is not supported, got \(node.got)", path: path)
        }
        refs.append(try ref(parts, at: history, path: path))
    }

    /// `[layer, node, tensor]` as a reference.
    static func ref(_ parts: [Node], at node: Node, path: String) throws(SpecError) -> TensorRef {
        guard parts.count >= 3, let layer = parts[0].string, let k = parts[1].intValue, let t = parts[2].intValue,
              k >= 0, t >= 0 else {
            throw node.error("a tensor reference must be [layer name, node index, tensor index], got \(node.got)", path: path)
        }
        return TensorRef(layer: layer, node: k, tensor: t, mark: parts[0].mark)
    }

    /// Call keyword arguments: only `null` ones (Keras's defaults) are accepted.
    static func checkKwargs(_ node: Node, path: String) throws(SpecError) {
        if node.isNull { return }
        guard let entries = node.entries else {
            throw node.error("call keyword arguments must be a map, got \(node.got)", path: path)
        }
        for entry in entries where !entry.value.isNull {
            throw entry.key.error("call argument '\(entry.name)' is not supported", path: path)
        }
    }

    /// `input_layers` / `output_layers`: one `[name, node, tensor]` or a list of them.
    static func endpoints(_ node: Node?, key: String, in config: Node) throws(SpecError) -> [TensorRef] {
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

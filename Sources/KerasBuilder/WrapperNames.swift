import KerasText
import KerasEngine

/// Names of the layers inside wrappers, as Keras gives them: the wrapped layer draws an
/// automatic name from the same counter as the model's layers (`TimeDistributed(Dense)`
/// holds `dense`, a second one `dense_1`), and `Bidirectional` calls its copies
/// `forward_<name>` and `backward_<name>`. Weight names (`forward_lstm/lstm_cell/kernel`)
/// come from these, so they stay unique within a model.
extension LayerNamer {
    /// Gives the layers wrapped by `layer` (if any) their model-unique names. A wrapped
    /// layer still carrying its automatic class name is renamed; a given name is kept.
    mutating func nameWrapped(in layer: any Layer) {
        if let td = layer as? TimeDistributed {
            nameInner(td.layer)
        } else if let bi = layer as? Bidirectional {
            let prefix = "forward_"
            let base = bi.forwardLayer.name.hasPrefix(prefix) ? String(bi.forwardLayer.name.dropFirst(prefix.count)) : bi.forwardLayer.name
            let autoBackward = bi.backwardLayer.name == "backward_\(base)"
            let name: String
            if base == kerasSnakeCase(bi.forwardLayer.typeName) { name = fresh(base) } else { reserve(base); name = base }
            bi.forwardLayer.name = prefix + name
            if autoBackward { bi.backwardLayer.name = "backward_\(name)" } else { nameInner(bi.backwardLayer) }
        }
    }

    /// Names one wrapped layer (and what it wraps).
    private mutating func nameInner(_ inner: any Layer) {
        let auto = kerasSnakeCase(inner.typeName)
        if inner.name == auto { inner.name = fresh(auto) } else { reserve(inner.name) }
        nameWrapped(in: inner)
    }
}

/// The names of the layers inside `layer` (wrapped layers, recursively), so that a shape
/// error raised by an inner layer is reported at the wrapper's place in the spec.
func wrappedNames(of layer: any Layer) -> [String] {
    if let td = layer as? TimeDistributed { return [td.layer.name] + wrappedNames(of: td.layer) }
    if let bi = layer as? Bidirectional { return [bi.forwardLayer.name, bi.backwardLayer.name] }
    return []
}

import KerasEngine

extension KerasFile {
    /// Gives `model` the weights of the Keras file at `path` (`train --init-weights`),
    /// matching layers by name: every layer of `model` that has weights needs a layer of
    /// the same name in the file with weights of the same shapes. All-or-nothing.
    public static func initializeWeights(of model: Model, from path: String) throws {
        let source = try load(path: path).model
        try copyWeights(from: source, to: model, file: path)
    }

    /// Copies weights layer by layer (by name) from `source` to `target`; `file` names the
    /// source in errors.
    public static func copyWeights(from source: Model, to target: Model, file: String) throws {
        let byName = Dictionary(source.layers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var updates: [(Parameter, Tensor)] = []
        for layer in target.layers where !layer.parameters.isEmpty {
            guard let from = byName[layer.name] else {
                let known = source.layers.filter { !$0.parameters.isEmpty }.map(\.name).joined(separator: ", ")
                throw KerasFileError(file: file, "has no layer '\(layer.name)' to take weights from (its layers with weights: \(known))")
            }
            let want = layer.parameters.map(\.shape), got = from.parameters.map(\.shape)
            guard want == got else {
                throw KerasFileError(file: file, "layer '\(layer.name)': the file's weights have shapes \(got.map(describe)), the model needs \(want.map(describe))")
            }
            for (p, q) in zip(layer.parameters, from.parameters) { updates.append((p, q.value.detached)) }
        }
        for (p, v) in updates { p.value = v }
    }
}

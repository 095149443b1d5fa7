/// Saving and restoring a model's weights by parameter name (`layer/kernel`, ...).
extension Model {
    /// Every weight by its parameter name, in layer order (what `Safetensors.write` stores).
    public var namedWeights: [(String, Tensor)] { parameters.map { ($0.name, $0.value.detached) } }

    /// Every weight by its parameter name.
    public var weightsDictionary: [String: Tensor] {
        Dictionary(namedWeights, uniquingKeysWith: { a, _ in a })
    }

    /// Replaces every weight with the tensor of the same name. All-or-nothing: the model
    /// is unchanged when any weight is missing, unexpected or of the wrong shape.
    public func loadWeights(_ named: [String: Tensor]) throws {
        let params = parameters
        let known = Set(params.map(\.name))
        for name in named.keys.sorted() where !known.contains(name) {
            throw PersistenceError.unexpectedWeight(name: name, known: params.map(\.name))
        }
        for p in params {
            guard let t = named[p.name] else { throw PersistenceError.missingWeight(name: p.name) }
            guard t.shape == p.shape else { throw PersistenceError.shapeMismatch(name: p.name, expected: p.shape, got: t.shape) }
        }
        for p in params { p.value = named[p.name]!.detached }
    }

    /// Writes the weights to a safetensors file (atomically).
    public func saveWeights(to path: String, metadata: [String: String]? = nil) throws {
        try Safetensors.write(namedWeights, metadata: metadata, to: path)
    }

    /// Loads the weights from a safetensors file written by `saveWeights(to:)`.
    public func loadWeights(from path: String) throws {
        try loadWeights(Safetensors.read(path).dictionary)
    }
}

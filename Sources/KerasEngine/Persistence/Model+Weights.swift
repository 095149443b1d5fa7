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
        try checkWeights(named.mapValues(\.shape))
        for p in parameters { p.value = named[p.name]!.detached }
    }

    /// Checks names and shapes of saved weights against the parameters: none unknown,
    /// none missing, every shape equal.
    public func checkWeights(_ shapes: [String: [Int]]) throws {
        let params = parameters
        let known = Set(params.map(\.name))
        for name in shapes.keys.sorted() where !known.contains(name) {
            throw PersistenceError.unexpectedWeight(name: name, known: params.map(\.name))
        }
        for p in params {
            guard let shape = shapes[p.name] else { throw PersistenceError.missingWeight(name: p.name) }
            guard shape == p.shape else { throw PersistenceError.shapeMismatch(name: p.name, expected: p.shape, got: shape) }
        }
    }

    /// Writes the weights to a safetensors file (atomically).
    public func saveWeights(to path: String, metadata: [String: String]? = nil) throws {
        try Safetensors.write(namedWeights, metadata: metadata, to: path)
    }

    /// Checks a safetensors file written by `saveWeights(to:)` against the parameters —
    /// its header, sizes and names and shapes — without reading the weights themselves.
    public func checkWeights(in path: String) throws {
        struct Checked: Error {}
        do {
            _ = try Safetensors.read(path) { entries in
                try self.checkWeights(Dictionary(entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a }))
                throw Checked()
            }
        } catch is Checked {}
    }

    /// Loads the weights from a safetensors file written by `saveWeights(to:)`.
    public func loadWeights(from path: String) throws {
        // Names and shapes are checked from the header, before any tensor data is read.
        try loadWeights(Safetensors.read(path) { entries in
            try self.checkWeights(Dictionary(entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a }))
        }.dictionary)
    }
}

import KerasEngine
import KerasSpec
import KerasText

/// Spec → engine model: every layer made through its registry, shapes checked layer by
/// layer, and any shape problem reported at the layer's place in the spec.
public enum ModelBuilder {
    /// Builds (and weight-initialises) the model of `spec`. `inputShapes` overrides or
    /// supplies the input shapes (e.g. inferred from the data when the spec gives none).
    public static func build(_ spec: Spec, inputShapes: [[Int]]? = nil, seed: UInt64? = nil) throws -> Model {
        let seed = seed ?? spec.seed ?? 0
        switch spec.model {
        case let .sequential(s):
            return try sequential(s, name: spec.name, seed: seed, fallbackInputShape: inputShapes?.first, modelNode: spec.modelNode)
        case let .functional(f):
            return try functional(f, name: spec.name, seed: seed)
        case let .kerasJSON(k):
            let keras = try KerasJSON.load(path: k.path.resolved)
            if let p = keras.preprocessing?.node {
                throw p.error("Rescaling/Normalization layers in a keras_json model are not supported; use data.preprocess (rescale, standardize) instead", path: "model")
            }
            return try build(keras, name: spec.name, seed: seed, inputShapes: inputShapes)
        }
    }

    /// Builds the model of a Keras model JSON (`model.to_json()`, a `.keras` file's
    /// config.json); `name` defaults to the Keras model's name.
    public static func build(_ keras: KerasModelJSON, name: String? = nil, seed: UInt64 = 0, inputShapes: [[Int]]? = nil) throws -> Model {
        switch keras.spec {
        case let .sequential(s):
            return try sequential(s, name: name ?? keras.name, seed: seed, fallbackInputShape: inputShapes?.first, modelNode: keras.modelNode)
        case let .functional(f):
            return try functional(f, name: name ?? keras.name, seed: seed)
        case .kerasJSON:
            throw keras.modelNode.error("a Keras JSON cannot name another Keras JSON", path: "model")
        }
    }

    static func sequential(_ s: SequentialModelSpec, name: String, seed: UInt64, fallbackInputShape: [Int]?, modelNode: Node) throws -> Model {
        guard let inputShape = s.inputShape ?? fallbackInputShape else {
            throw modelNode.error("the model needs an input shape: add 'input_shape: [...]' or a first layer '- Input: {shape: [...]}'", path: "model")
        }
        let (model, specs) = try sequentialStack(s, name: name)
        do {
            try model.build(inputShapes: [inputShape], seed: seed)
        } catch let e as ShapeError {
            let where_ = zip(model.stack, specs).first { $0.0.name == e.layer || wrappedNames(of: $0.0).contains(e.layer) }?.1
            throw where_?.error(e.message) ?? modelNode.error(e.message, path: "model")
        }
        return model
    }

    /// The layers of a sequential spec, made and named but not built.
    static func sequentialStack(_ s: SequentialModelSpec, name: String) throws -> (Sequential, [LayerSpec]) {
        var namer = LayerNamer()
        var layers: [any Layer] = []
        var specs: [LayerSpec] = []
        for ls in s.layers {
            let layer = try LayerRegistry.make(ls.object)
            layer.name = try namer.name(for: layer, given: ls)
            namer.nameWrapped(in: layer)
            layers.append(layer)
            specs.append(ls)
        }
        return (Sequential(name: name, layers: layers), specs)
    }

    /// The model of a nested-model layer (`Sequential`, `Functional`), made but not built:
    /// the outer model builds it as a layer. A shape error inside it names its layer.
    static func nested(_ spec: ModelSpec, name: String) throws -> Model {
        switch spec {
        case let .sequential(s):
            if let shapeNode = s.inputShapeNode, s.inputShape != nil {
                throw shapeNode.error("a nested Sequential takes its input shape from its inputs; leave input_shape out", path: "model")
            }
            return try sequentialStack(s, name: name).0
        case let .functional(f):
            return try functionalGraph(f, name: name).0
        case let .kerasJSON(k):
            let keras = try KerasJSON.load(path: k.path.resolved)
            return try nested(keras.spec, name: name)
        }
    }

    /// Loads the saved model (a `.keras`/`.h5` file or a model directory) a `Model` layer
    /// names, with its weights. Set by the program (kerasctl sets it to read model
    /// directories and Keras files); the builder itself reads no Keras files.
    nonisolated(unsafe) public static var savedModelLoader: ((DataPath) throws -> (Model, ModelSpec))?
}

extension ModelBuilder {
    /// A functional graph: layers applied to named tensors; `Shared` applies an earlier
    /// layer again with the same weights.
    static func functional(_ f: FunctionalModelSpec, name: String, seed: UInt64) throws -> Model {
        let (g, byName) = try functionalGraph(f, name: name)
        do {
            try g.build(seed: seed)
        } catch let e as ShapeError {
            let node = e.layer.split(separator: ":").first.map(String.init) ?? e.layer
            let owner = byName[node] ?? byName.values.first { wrappedNames(of: $0.layer).contains(node) }
            throw owner?.spec.error(e.message) ?? f.node.error(e.description, path: "model")
        } catch let e as GraphError {
            throw locate(e, f, byName.mapValues(\.spec))
        }
        return g
    }

    /// The graph of a functional spec, its layers made and named but not built.
    static func functionalGraph(_ f: FunctionalModelSpec, name: String) throws -> (Functional, [String: (layer: any Layer, spec: LayerSpec)]) {
        let g = Functional(name: name)
        for input in f.inputs {
            guard let n = input.name else { throw input.object.error("a functional input needs a name") }
            _ = g.addInput(name: n, shape: input.shape)
        }
        var byName: [String: (layer: any Layer, spec: LayerSpec)] = [:]
        var namer = LayerNamer()
        for ls in f.layers {
            let layer: any Layer
            if ls.kind == "Shared" {
                let r = try ls.reader(mainArgument: "layer")
                let target = try r.required("layer", .string)
                try r.finish()
                guard let shared = byName[target] else {
                    throw ls.error(unknownName("Shared: no layer named '\(target)' is defined before this one", target,
                                               among: Array(byName.keys), otherwise: ""), at: r.node("layer"))
                }
                layer = shared.layer
            } else {
                layer = try LayerRegistry.make(ls.object)
                layer.name = try namer.name(for: layer, given: ls)
                namer.nameWrapped(in: layer)
            }
            let nodeName = ls.name ?? layer.name
            byName[nodeName] = (layer, ls)
            _ = g.add(layer: layer, name: nodeName, inputs: ls.inputs, training: ls.training)
        }
        g.setOutputs(f.outputs)
        return (g, byName)
    }

    /// Places a graph error at the layer (or input, or output) it is about.
    static func locate(_ e: GraphError, _ f: FunctionalModelSpec, _ specs: [String: LayerSpec]) -> SpecError {
        func at(_ name: String) -> SpecError {
            if let s = specs[name] { return s.error(e.description) }
            if let i = f.inputs.first(where: { $0.name == name }) { return i.object.error(e.description) }
            if let k = f.outputs.firstIndex(of: name) { return f.outputNodes[k].error(e.description, path: "model.outputs[\(k)]") }
            return f.node.error(e.description, path: "model")
        }
        switch e {
        case let .duplicateName(n), let .invalidName(n), let .unusedInput(n), let .unusedNode(n), let .nodeWithoutInputs(n): return at(n)
        case let .unknownTensor(node, _, _), let .badOutputIndex(node, _, _): return at(node)
        case let .cycle(names): return at(names.first ?? "")
        case .noInputs, .noOutputs: return f.node.error(e.description, path: "model")
        }
    }
}

/// Keras's automatic layer names: the class name in snake_case, then `_1`, `_2`, ...
struct LayerNamer {
    private var used: [String: Int] = [:]
    private var taken = Set<String>()

    /// The next free automatic name for `base` (`lstm`, `lstm_1`, ...), now taken.
    mutating func fresh(_ base: String) -> String {
        while true {
            let k = used[base, default: 0]
            used[base] = k + 1
            let candidate = k == 0 ? base : "\(base)_\(k)"
            if taken.insert(candidate).inserted { return candidate }
        }
    }

    /// Takes `name` as given; false when it was already taken.
    @discardableResult mutating func reserve(_ name: String) -> Bool { taken.insert(name).inserted }

    mutating func name(for layer: any Layer, given spec: LayerSpec) throws -> String {
        if let given = spec.name {
            guard taken.insert(given).inserted else {
                throw spec.error("duplicate layer name '\(given)'", at: spec.nameNode)
            }
            return given
        }
        return fresh(kerasSnakeCase(layer.typeName))
    }
}

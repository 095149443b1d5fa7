/// Keras model JSON → the typed spec: what `model.to_json()` writes (and what a `.keras`
/// file's `config.json` or a legacy `.h5` file's `model_config` holds), for Sequential and
/// Functional models.
///
/// The JSON is loaded with the YAML loader (JSON is YAML), so every node keeps its
/// line:column in the JSON file. The translation writes the model in the YAML spec's form
/// (`{input_shape, layers}` or `{type: functional, inputs, layers, outputs}`, layers as
/// `{Dense: {name: ..., units: ...}}`) from those nodes and reads it with the same code as
/// a YAML spec, so the builder's registries build it and every error, an unsupported
/// layer class included, points into the JSON file.
///
/// Functional graphs: `inbound_nodes` are read in Keras 3's form (`{"args": [keras
/// tensors], "kwargs": {}}`) and the older `[[name, node, tensor, {}], ...]` form. A layer
/// called several times becomes a `Shared` entry per extra call, named `layer@k`.
public enum KerasJSON {
    /// Reads and translates the JSON file at `path`.
    public static func load(path: String) throws(SpecError) -> KerasModelJSON {
        try translate(YAML.load(path: path, limits: .json))
    }

    /// Parses and translates JSON text; `file` names it in errors.
    public static func parse(bytes: [UInt8], file: String) throws(SpecError) -> KerasModelJSON {
        try translate(YAML.parse(bytes: bytes, file: file, limits: .json))
    }

    /// Translates a loaded JSON document.
    public static func translate(_ root: Node) throws(SpecError) -> KerasModelJSON {
        let (className, classNode, config) = try classAndConfig(root, path: "")
        guard let config else { throw root.error("the model has no \"config\"", path: "") }
        let name = config["name"]?.string ?? "model"
        guard let layersNode = config["layers"], let items = layersNode.items else {
            throw config.error("\(className) config needs a \"layers\" list", path: "config")
        }
        switch className {
        case "Sequential":
            var keras = try sequential(items, config: config, name: name)
            keras.root = root
            return keras
        case "Functional", "Model":
            var keras = try functional(items, config: config, name: name)
            keras.root = root
            return keras
        default:
            throw classNode.error("unsupported model class '\(className)' (kerasctl reads Sequential and Functional models)", path: "class_name")
        }
    }

    // MARK: Sequential

    static func sequential(_ items: [Node], config: Node, name: String, preprocessing absorbs: Bool = true) throws(SpecError) -> KerasModelJSON {
        var shapeNode: Node?
        var layers: [Node] = []
        var infos: [KerasLayerInfo] = []
        var preprocessing = KerasPreprocessing()
        for (index, item) in items.enumerated() {
            let path = "config.layers[\(index)]"
            let (className, _, layerConfig) = try classAndConfig(item, path: path)
            if className == "InputLayer" {
                guard index == 0 else { throw item.error("InputLayer must be the first layer of a Sequential model", path: path) }
                shapeNode = layerConfig?["batch_shape"] ?? layerConfig?["batch_input_shape"]
                continue
            }
            if absorbs, layers.isEmpty, let layerConfig, preprocessing.absorb(className, layerConfig, node: item) {
                infos.append(KerasLayerInfo(name: layerConfig["name"]?.string ?? "", className: className, node: item))
                continue
            }
            if shapeNode == nil, layers.isEmpty { shapeNode = layerConfig?["batch_input_shape"] }
            let nameNode = layerConfig?["name"]
            let layerName = nameNode?.string
            let extra = layerName.map { [("name", nameNode!.mark, Node.string($0, at: nameNode!.mark))] } ?? []
            layers.append(try layerObject(item, path: path, extra: extra))
            infos.append(KerasLayerInfo(name: layerName ?? "", className: className, node: item))
        }
        if shapeNode == nil { shapeNode = config["build_input_shape"] }
        var entries: [(String, Mark, Node)] = []
        if let shapeNode, let shape = perExampleShape(shapeNode) {
            entries.append(("input_shape", shapeNode.mark, shape))
        }
        entries.append(("layers", config.mark, .list(layers, at: config.mark)))
        let modelNode = Node.map(entries, at: config.mark, path: NodePath.root.appending(key: "model"))
        let spec = try ModelSpec(node: modelNode, folder: "")
        return KerasModelJSON(name: name, spec: spec, modelNode: modelNode, layers: infos, isSequential: true,
                              preprocessing: preprocessing.isEmpty ? nil : preprocessing)
    }

    /// `[null, 28, 28, 1]` → `[28, 28, 1]`; nil when a per-example axis is not fixed.
    static func perExampleShape(_ node: Node) -> Node? {
        guard let items = node.items, items.count >= 2 else { return nil }
        let rest = Array(items.dropFirst())
        guard rest.allSatisfy({ $0.intValue != nil }) else { return nil }
        return .list(rest, at: node.mark)
    }

    // MARK: Functional

    /// One call of a layer on Keras tensors.
    struct Call {
        let layerIndex: Int
        let callIndex: Int
        /// The positional arguments: tensors, and numbers (operations' constants).
        let args: [CallArg]
        /// Keyword arguments kept as spec arguments (`training`, `attention_mask`, `use_causal_mask`).
        var keywords: [CallKeyword] = []
        let mark: Mark
        /// The tensors among ``args``.
        var inputs: [TensorRef] { args.compactMap { if case let .tensor(t) = $0 { t } else { nil } } }
        /// Every tensor the call reads: ``inputs`` then the keyword tensors.
        var reads: [TensorRef] { inputs + keywords.compactMap { if case let .tensor(_, t) = $0 { t } else { nil } } }
    }

    /// A keyword argument of a call kept as a spec argument: a tensor (by name) or a flag.
    enum CallKeyword {
        case tensor(name: String, TensorRef)
        case option(name: String, Node)
    }

    /// A positional argument of a call.
    enum CallArg {
        case tensor(TensorRef)
        case constant(Node)
    }

    /// A Keras tensor reference `[layer, node, tensor]`.
    struct TensorRef {
        let layer: String
        let node: Int
        let tensor: Int
        let mark: Mark
    }

    static func functional(_ items: [Node], config: Node, name: String, preprocessing absorbs: Bool = true) throws(SpecError) -> KerasModelJSON {
        var infos: [KerasLayerInfo] = []
        var inputNodes: [String: Node] = [:]
        var calls: [Call] = []
        for (index, item) in items.enumerated() {
            let path = "config.layers[\(index)]"
            let (className, _, layerConfig) = try classAndConfig(item, path: path)
            guard let layerName = item["name"]?.string ?? layerConfig?["name"]?.string else {
                throw item.error("every layer of a functional model needs a \"name\"", path: path)
            }
            infos.append(KerasLayerInfo(name: layerName, className: className, node: item))
            if className == "InputLayer" {
                guard let shapeNode = layerConfig?["batch_shape"] ?? layerConfig?["batch_input_shape"],
                      let shape = perExampleShape(shapeNode) else {
                    throw item.error("InputLayer '\(layerName)' needs a fixed \"batch_shape\" [null, d1, d2, ...]", path: path)
                }
                let nameMark = item["name"]?.mark ?? item.mark
                inputNodes[layerName] = .object("Input", nameMark: item.mark, args: [
                    ("name", nameMark, .string(layerName, at: nameMark)), ("shape", shapeNode.mark, shape),
                ], at: item.mark)
                continue
            }
            let inbound = item["inbound_nodes"]?.items ?? []
            if inbound.isEmpty { throw item.error("layer '\(layerName)' has no \"inbound_nodes\"", path: path) }
            for (k, call) in inbound.enumerated() {
                let (args, keywords) = try callArgs(call, path: path)
                calls.append(Call(layerIndex: index, callIndex: k, args: args, keywords: keywords, mark: call.mark))
            }
        }
        let names = infos.map(\.name)
        calls = prunedDeadOperations(calls, items: items, names: names,
                                     outputs: (try? endpoints(config["output_layers"], key: "output_layers", in: config)) ?? [])
        var preprocessing = KerasPreprocessing()
        var alias: [String: String] = [:]
        if absorbs, inputNodes.count == 1, let input = inputNodes.keys.first {
            // Rescaling / Normalization right after the only input (as `kerasctl export`
            // writes preprocessing) become preprocessing; their readers read the input.
            var current = input
            while true {
                let readers = calls.filter { $0.reads.contains { $0.layer == current } }
                guard readers.count == 1, let c = readers.first, c.inputs.count == 1, c.callIndex == 0,
                      !calls.contains(where: { $0.layerIndex == c.layerIndex && $0.callIndex > 0 }),
                      let config = items[c.layerIndex]["config"],
                      preprocessing.absorb(infos[c.layerIndex].className, config, node: items[c.layerIndex]) else { break }
                alias[names[c.layerIndex]] = input
                calls.removeAll { $0.layerIndex == c.layerIndex }
                current = names[c.layerIndex]
            }
        }
        func tensorName(_ ref: TensorRef) -> String {
            if let input = alias[ref.layer] { return input }
            return KerasJSON.tensorName(ref, infos: infos)
        }
        var layers: [Node] = []
        for call in ordered(calls, names: names) {
            let item = items[call.layerIndex]
            let layerName = names[call.layerIndex]
            let inputs = Node.list(call.args.map {
                switch $0 {
                case let .tensor(t): Node.string(tensorName(t), at: t.mark)
                case let .constant(c): c
                }
            }, at: call.mark)
            var callEntries: [(String, Mark, Node)] = [("inputs", call.mark, inputs)]
            for keyword in call.keywords {
                switch keyword {
                case let .tensor(name, t): callEntries.append((name, t.mark, .string(tensorName(t), at: t.mark)))
                case let .option(name, node): callEntries.append((name, node.mark, node))
                }
            }
            if call.callIndex == 0 {
                let nameMark = item["name"]?.mark ?? item.mark
                layers.append(try layerObject(item, path: "config.layers[\(call.layerIndex)]", extra: [
                    ("name", nameMark, .string(layerName, at: nameMark)),
                ] + callEntries))
            } else {
                layers.append(.object("Shared", nameMark: call.mark, args: [
                    ("layer", call.mark, .string(layerName, at: call.mark)),
                    ("name", call.mark, .string("\(layerName)@\(call.callIndex)", at: call.mark)),
                ] + callEntries, at: call.mark))
            }
        }
        var inputs: [Node] = []
        for ref in try endpoints(config["input_layers"], key: "input_layers", in: config) {
            guard let input = inputNodes[ref.layer] else {
                throw config.error("input_layers names '\(ref.layer)', which is not an InputLayer", path: "config.input_layers")
            }
            inputs.append(input)
        }
        let outputs = try endpoints(config["output_layers"], key: "output_layers", in: config).map {
            Node.string(tensorName($0), at: $0.mark)
        }
        let modelNode = Node.map([
            ("type", config.mark, .string("functional", at: config.mark)),
            ("inputs", config.mark, .list(inputs, at: config.mark)),
            ("layers", config.mark, .list(layers, at: config.mark)),
            ("outputs", config.mark, .list(outputs, at: config.mark)),
        ], at: config.mark, path: NodePath.root.appending(key: "model"))
        let spec = try ModelSpec(node: modelNode, folder: "")
        return KerasModelJSON(name: name, spec: spec, modelNode: modelNode, layers: infos, isSequential: false,
                              preprocessing: preprocessing.isEmpty ? nil : preprocessing)
    }

    /// The spec's name for a Keras tensor: the layer (its k-th call `layer@k`), then
    /// `:t` for output t > 0.
    static func tensorName(_ ref: TensorRef, infos: [KerasLayerInfo]) -> String {
        let isInput = infos.first { $0.name == ref.layer }?.className == "InputLayer"
        var name = ref.node == 0 || isInput ? ref.layer : "\(ref.layer)@\(ref.node)"
        if ref.tensor > 0 { name += ":\(ref.tensor)" }
        return name
    }

    /// Calls in an order where every tensor is made before it is used (stable: the
    /// config's order wherever it already works).
    static func ordered(_ calls: [Call], names: [String]) -> [Call] {
        var done = Set<String>()
        for (i, n) in names.enumerated() where !calls.contains(where: { $0.layerIndex == i }) { done.insert(n) }
        var pending = calls
        var out: [Call] = []
        while !pending.isEmpty {
            let ready = pending.firstIndex { call in
                (call.callIndex == 0 || done.contains(names[call.layerIndex]))
                    && call.reads.allSatisfy { done.contains(key($0.layer, $0.node)) || !names.contains($0.layer) }
            } ?? 0
            let call = pending.remove(at: ready)
            done.insert(key(names[call.layerIndex], call.callIndex))
            out.append(call)
        }
        return out
    }

    private static func key(_ layer: String, _ node: Int) -> String { node == 0 ? layer : "\(layer)@\(node)" }
}

/// A Keras model's JSON, translated.
public struct KerasModelJSON: Sendable {
    /// The Keras model's name.
    public let name: String
    /// The typed model spec (sequential or functional) the builder builds.
    public let spec: ModelSpec
    /// The synthesized `model` node (its marks point into the JSON file).
    public let modelNode: Node
    /// The layers in Keras's `model.layers` order (a functional model's InputLayers
    /// included, a Sequential's left out), the order Keras saves weights in.
    public let layers: [KerasLayerInfo]
    /// True for a Sequential model.
    public let isSequential: Bool
    /// Leading `Rescaling` / `Normalization` layers of a Sequential model (what
    /// `kerasctl export` writes for a model's preprocessing), taken out of ``spec``.
    public let preprocessing: KerasPreprocessing?
    /// The JSON document (its `compile_config` gives ``spec(file:)`` a compile section).
    public internal(set) var root: Node

    init(name: String, spec: ModelSpec, modelNode: Node, layers: [KerasLayerInfo], isSequential: Bool,
         preprocessing: KerasPreprocessing?) {
        (self.name, self.spec, self.modelNode, self.layers) = (name, spec, modelNode, layers)
        (self.isSequential, self.preprocessing, self.root) = (isSequential, preprocessing, modelNode)
    }
}

/// A Sequential model's leading `Rescaling(scale)` and `Normalization(mean, variance)`
/// layers (last axis, given statistics): kerasctl's data preprocessing in Keras form.
public struct KerasPreprocessing: Sendable {
    /// `x * rescale`.
    public var rescale: Double?
    /// Per-feature mean and variance.
    public var mean: [Double]?
    public var variance: [Double]?
    /// The node of the first such layer.
    public var node: Node?

    public var isEmpty: Bool { rescale == nil && mean == nil }

    /// Takes in a layer of the supported form (returns false for anything else).
    mutating func absorb(_ className: String, _ config: Node, node: Node) -> Bool {
        func number(_ n: Node?) -> Double? { n?.doubleValue }
        switch className {
        case "Rescaling" where rescale == nil && mean == nil:
            guard let scale = number(config["scale"]), (number(config["offset"]) ?? 0) == 0 else { return false }
            rescale = scale
        case "Normalization" where mean == nil:
            guard let m = config["mean"]?.items?.compactMap(number), let v = config["variance"]?.items?.compactMap(number),
                  !m.isEmpty, m.count == v.count, config["mean"]?.items?.count == m.count,
                  config["variance"]?.items?.count == v.count,
                  number(config["axis"]) ?? -1 == -1, config["invert"]?.boolValue != true else { return false }
            (mean, variance) = (m, v)
        default:
            return false
        }
        if self.node == nil { self.node = node }
        return true
    }
}

/// One layer of a Keras model's JSON.
public struct KerasLayerInfo: Sendable {
    /// The layer's name.
    public let name: String
    /// Its Keras class name, e.g. `Dense`.
    public let className: String
    /// Its serialized node `{"class_name", "config", ...}`.
    public let node: Node

    /// The layer a serialized node describes (nil without a class name).
    public init?(node: Node) {
        guard let className = node["class_name"]?.string else { return nil }
        self.init(name: node["name"]?.string ?? node["config"]?["name"]?.string ?? "", className: className, node: node)
    }

    init(name: String, className: String, node: Node) { (self.name, self.className, self.node) = (name, className, node) }
}

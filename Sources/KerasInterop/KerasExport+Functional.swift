import Foundation
import KerasEngine
import KerasSpec

/// A functional spec as Keras 3's Functional config: InputLayers and layers with their
/// inbound nodes (one per call; `Shared` entries are extra calls of their layer), listed
/// in the order Keras's `map_graph` gives `model.layers` — the order Keras names the
/// weight groups by, so it must be reproduced exactly.
extension KerasExport {
    /// One call of a layer (Keras's node): `layer` applied for the `call`-th time.
    struct Call {
        let layer: String
        let call: Int
        /// Inputs: (producer call key, tensor index, the spec's tensor name).
        let inputs: [(key: String, tensor: Int, name: String)]
        let isInput: Bool
        /// Constant operands of an operation: (position in the call, value).
        var constants: [(position: Int, value: Double)] = []
        /// The call argument `training`, when given.
        var training: Bool?
        var key: String { KerasExport.key(layer, call) }
    }

    static func key(_ layer: String, _ call: Int) -> String { "\(layer)#\(call)" }

    static func functional(model: Model, spec: FunctionalModelSpec, name: String) throws -> ([String: Any], [KerasLayer]) {
        guard let graph = model as? Functional else {
            throw KerasFileError(file: name, "a functional spec needs a functional model")
        }
        var shapes: [String: [[Int]]] = [:]
        for input in graph.graphInputs { shapes[input.name] = [input.shape] }
        for node in graph.nodes { shapes[node.name] = node.outputShapes }
        var layerOf: [String: any Layer] = [:]
        for node in graph.nodes where layerOf[node.name] == nil { layerOf[node.name] = node.layer }

        // Calls, by the tensor (node) name each produces.
        var producer: [String: (layer: String, call: Int)] = [:]
        var calls: [String: Call] = [:]
        var uses: [String: Int] = [:]
        var objects: [String: ObjectSpec] = [:]
        var order: [String] = []
        for input in spec.inputs {
            let n = input.name ?? ""
            producer[n] = (n, 0)
            calls[key(n, 0)] = Call(layer: n, call: 0, inputs: [], isInput: true)
        }
        for ls in spec.layers {
            guard let nodeName = ls.name else { continue }
            var layerName = nodeName
            if ls.kind == "Shared" {
                guard let target = ls.object.args?["layer"]?.string ?? ls.object.args?.string else {
                    throw ls.error("cannot export: Shared without a layer name")
                }
                layerName = target
            } else {
                objects[nodeName] = ls.object
                order.append(nodeName)
            }
            let k = uses[layerName, default: 0]
            uses[layerName] = k + 1
            producer[nodeName] = (layerName, k)
            let inputs = try ls.inputs.map { ref -> (key: String, tensor: Int, name: String) in
                let (base, t) = split(ref)
                guard let p = producer[base] else { throw ls.error("cannot export: unknown input '\(ref)'") }
                return (key(p.layer, p.call), t, base)
            }
            calls[key(layerName, k)] = Call(layer: layerName, call: k, inputs: inputs, isInput: false,
                                            constants: ls.constants, training: ls.training)
        }
        let outputs = spec.outputs.map { ref -> (key: String, tensor: Int, layer: String, call: Int) in
            let (base, t) = split(ref)
            let p = producer[base] ?? (base, 0)
            return (key(p.layer, p.call), t, p.layer, p.call)
        }
        let inputNames = spec.inputs.map { $0.name ?? "" }
        let ordered = kerasLayerOrder(calls: calls, outputs: outputs.map(\.key), inputs: inputNames)

        func tensor(_ key: String, _ t: Int, name: String) -> [String: Any] {
            let c = calls[key]!
            let shape: [Any] = [NSNull()] + (shapes[name]?[safe: t] ?? [])
            return ["class_name": "__keras_tensor__",
                    "config": ["shape": shape, "dtype": "float32", "keras_history": [c.layer, c.call, t]] as [String: Any]]
        }
        var layers: [KerasLayer] = []
        for layerName in ordered {
            if inputNames.contains(layerName) {
                let shape: [Any] = [NSNull()] + (shapes[layerName]?.first ?? [])
                layers.append(KerasLayer(name: layerName, className: "InputLayer", object: nil, layer: nil, serialized: [
                    "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(), "name": layerName,
                    "config": ["batch_shape": shape, "dtype": "float32", "sparse": false, "name": layerName] as [String: Any],
                    "inbound_nodes": [Any](),
                ]))
                continue
            }
            guard let object = objects[layerName], let layer = layerOf[layerName] else { continue }
            var nested: [KerasLayer] = []
            var serialized: [String: Any]
            if let inner = layer as? ModelLayer {
                (serialized, nested) = try nestedConfig(object, inner, name: layerName)
            } else if let operation = layer as? OperationLayer {
                serialized = try operationConfig(object, operation, name: layerName)
            } else {
                serialized = try layerConfig(object, name: layerName)
            }
            var nodes: [Any] = []
            var k = 0
            while let c = calls[key(layerName, k)] {
                let tensors = c.inputs.map { tensor($0.key, $0.tensor, name: calls[$0.key]!.isInput ? calls[$0.key]!.layer : $0.name) }
                let args: [Any]
                if let op = layer as? OperationLayer, case .concatenate = op.function {
                    args = [tensors]  // ops.concatenate takes the tensors as one list
                } else if layer is OperationLayer {
                    // Positional operands, constants in their places (`x + 3.0`: [x, 3.0]).
                    var rest = tensors.makeIterator()
                    let total = tensors.count + c.constants.count
                    args = (0..<total).compactMap { i in c.constants.first { $0.position == i }.map { $0.value as Any } ?? rest.next() }
                } else if layer is MultiHeadAttention || layer is GroupQueryAttention {
                    args = Array(tensors.prefix(2))  // query, value; key and attention_mask by keyword below
                } else if layer is TransformerDecoder {
                    args = tensors  // decoder_sequence[, encoder_sequence], positional
                } else {
                    args = tensors.count == 1 ? [tensors[0]] : [tensors]
                }
                var kwargs: [String: Any] = [:]
                if layer is MultiHeadAttention || layer is GroupQueryAttention {
                    let keywords = object.callTensors
                    let positional = tensors.count - keywords.count
                    if positional == 3 { kwargs["key"] = tensors[2] }
                    for (keyword, t) in zip(keywords, tensors.suffix(keywords.count)) { kwargs[keyword] = t }
                }
                if let flags = layer as? any AttentionCallFlags {
                    if flags.useCausalMask { kwargs["use_causal_mask"] = true }
                    if flags.returnAttentionScores { kwargs["return_attention_scores"] = true }
                }
                if let decoder = layer as? TransformerDecoder, !decoder.config.useCausalMask { kwargs["use_causal_mask"] = false }
                if let training = c.training { kwargs["training"] = training }
                nodes.append(["args": args, "kwargs": kwargs] as [String: Any])
                k += 1
            }
            serialized["name"] = layerName
            serialized["inbound_nodes"] = nodes
            layers.append(KerasLayer(name: layerName, className: (layer as? ModelLayer)?.typeName ?? object.name, object: object, layer: layer,
                                     serialized: serialized, nested: nested))
        }
        func endpoints(_ refs: [[Any]]) -> Any { refs.count == 1 ? refs[0] : refs }
        let config: [String: Any] = [
            "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "build_config": ["input_shape": NSNull()],
            "config": [
                "name": name, "trainable": true, "layers": layers.map(\.serialized),
                "input_layers": endpoints(inputNames.map { [$0, 0, 0] }),
                "output_layers": endpoints(outputs.map { [$0.layer, $0.call, $0.tensor] }),
            ] as [String: Any],
        ]
        return (config, layers)
    }

    /// `lstm:1` → (`lstm`, 1).
    static func split(_ ref: String) -> (String, Int) {
        if let colon = ref.lastIndex(of: ":"), let k = Int(ref[ref.index(after: colon)...]), k >= 0 {
            return (String(ref[..<colon]), k)
        }
        return (ref, 0)
    }

    /// Keras's `map_graph` (keras/src/ops/function.py): a depth-first walk from the
    /// outputs numbers the layers; each call gets a depth (the longest path to an output);
    /// layers are listed by decreasing depth, ties by walk order; unused inputs last.
    static func kerasLayerOrder(calls: [String: Call], outputs: [String], inputs: [String]) -> [String] {
        var finished = Set<String>()
        var decreasing: [String] = []
        var index: [String: Int] = [:]
        func visit(_ key: String) {
            guard let c = calls[key], !finished.contains(key) else { return }
            if index[c.layer] == nil { index[c.layer] = index.count }
            if !c.isInput { for input in c.inputs { visit(input.key) } }
            finished.insert(key)
            decreasing.append(key)
        }
        for output in outputs { visit(output) }
        var nodeDepth: [String: Int] = [:]
        var layerDepth: [String: Int] = [:]
        for key in decreasing.reversed() {
            guard let c = calls[key] else { continue }
            let depth = max(nodeDepth[key] ?? 0, layerDepth[c.layer] ?? 0)
            layerDepth[c.layer] = depth
            nodeDepth[key] = depth
            for input in c.inputs where finished.contains(input.key) {
                nodeDepth[input.key] = max(depth + 1, nodeDepth[input.key] ?? 0)
            }
        }
        for input in inputs where layerDepth[input] == nil {
            layerDepth[input] = 0
            index[input] = -1
        }
        return layerDepth.keys.sorted { a, b in
            let (da, db) = (layerDepth[a]!, layerDepth[b]!)
            return da != db ? da > db : index[a]! < index[b]!
        }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

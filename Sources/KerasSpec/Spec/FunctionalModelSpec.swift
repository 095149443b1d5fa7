import KerasText

/// A functional graph: named inputs, layers that name the tensors they consume, and the
/// outputs. Every input and layer has a unique name, and every name a layer or an output
/// refers to is defined before it (inputs first, then layers in order).
public struct FunctionalModelSpec: Sendable {
    /// The model inputs.
    public let inputs: [InputSpec]
    /// The layers, in order.
    public let layers: [LayerSpec]
    /// The output tensor names.
    public let outputs: [String]
    /// The nodes of each output name, parallel to ``outputs``.
    public let outputNodes: [Node]
    /// The `model` node.
    public let node: Node

    init(args: ArgReader, node: Node) throws(SpecError) {
        guard let inputsNode = args.node("inputs"), !inputsNode.isNull else { throw args.missing("inputs") }
        let inputItems = inputsNode.items ?? [inputsNode]
        if inputItems.isEmpty { throw args.error("inputs must list at least one Input", at: inputsNode) }
        var defined: [String: Mark] = [:]
        var order: [String] = []
        var inputs: [InputSpec] = []
        for (index, item) in inputItems.enumerated() {
            let path = inputsNode.items == nil ? "model.inputs" : "model.inputs[\(index)]"
            let input = try InputSpec(node: item, path: path, nameRequired: true)
            let name = input.name ?? ""
            if let first = defined[name] {
                throw input.object.error("duplicate name '\(name)' (first used on line \(first.line))")
            }
            defined[name] = input.mark
            order.append(name)
            inputs.append(input)
        }

        let items = try layerNodes(args)
        var layers: [LayerSpec] = []
        for (index, item) in items.enumerated() {
            let layer = try LayerSpec(node: item, path: "model.layers[\(index)]", functional: true)
            if layer.kind == "Input" {
                throw layer.error("Input belongs under model.inputs in a functional model")
            }
            guard let name = layer.name, let nameNode = layer.nameNode else {
                throw layer.error("every layer of a functional model needs a unique 'name'")
            }
            if let first = defined[name] {
                throw layer.error("duplicate name '\(name)' (first used on line \(first.line))", at: nameNode)
            }
            if layer.inputs.isEmpty {
                throw layer.error("missing 'inputs': the names of the tensors this layer consumes")
            }
            for (input, inputNode) in zip(layer.inputs, layer.inputNodes) where defined[FunctionalModelSpec.node(of: input)] == nil {
                throw layer.error(FunctionalModelSpec.unknown(FunctionalModelSpec.node(of: input), in: name, defined: order, items: items), at: inputNode)
            }
            defined[name] = nameNode.mark
            order.append(name)
            layers.append(layer)
        }

        guard let outputsNode = args.node("outputs"), !outputsNode.isNull else { throw args.missing("outputs") }
        let outputNodes = outputsNode.items ?? [outputsNode]
        if outputNodes.isEmpty { throw args.error("outputs must name at least one tensor", at: outputsNode) }
        var outputs: [String] = []
        for output in outputNodes {
            guard let name = output.string else {
                throw args.error("outputs must be a name or a list of names, got \(output.got)", at: output)
            }
            if defined[FunctionalModelSpec.node(of: name)] == nil {
                throw args.error("outputs: unknown tensor '\(name)'" + didYouMean(name, among: order), at: output)
            }
            if outputs.contains(name) { throw args.error("outputs: '\(name)' is listed twice", at: output) }
            outputs.append(name)
        }
        self.inputs = inputs
        self.layers = layers
        self.outputs = outputs
        self.outputNodes = outputNodes
        self.node = node
    }

    /// The node a tensor name refers to: `lstm:1` (output 1 of `lstm`) → `lstm`.
    static func node(of tensor: String) -> String {
        if let colon = tensor.lastIndex(of: ":"), Int(tensor[tensor.index(after: colon)...]).map({ $0 >= 0 }) == true {
            return String(tensor[..<colon])
        }
        return tensor
    }

    /// "unknown input 'x'", noting when it is defined later (or feeds back into `layer`,
    /// a cycle) and suggesting a close name.
    private static func unknown(_ name: String, in layer: String, defined: [String], items: [Node]) -> String {
        func args(_ n: String) -> Node? {
            items.first { $0.entries?.first?.value["name"]?.string == n }?.entries?.first?.value
        }
        guard let later = args(name) else { return "unknown input '\(name)'" + didYouMean(name, among: defined) }
        // Follow the later layer's inputs back: reaching `layer` closes a cycle.
        var path = [layer, name], seen: Set<String> = [name]
        func reaches(_ n: String) -> Bool {
            let inputs = args(n)?["inputs"].map { $0.items ?? [$0] }?.compactMap(\.string) ?? []
            for i in inputs {
                if i == layer { path.append(i); return true }
                guard seen.insert(i).inserted else { continue }
                path.append(i)
                if reaches(i) { return true }
                path.removeLast()
            }
            return false
        }
        if name == layer { return "layer '\(name)' consumes its own output (a cycle)" }
        if reaches(name) { return "the layers form a cycle: " + path.joined(separator: " -> ") }
        return "input '\(name)' is used before its layer is defined (on line \(later.mark.line)); list layers in order"
    }
}

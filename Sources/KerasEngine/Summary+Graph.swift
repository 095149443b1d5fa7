/// A model's layers and how they connect, for drawing it (`kerasctl plot-model`, as Keras's
/// `plot_model(show_shapes=True, show_layer_names=True)`): one node per declared input
/// (`InputLayer`) and per layer — a layer applied several times (`Shared`) is one node with
/// an edge from each of its inputs, a nested model is one node — and an edge from each
/// layer to every layer reading its output.
public struct LayerGraph: Sendable {
    public struct Node: Sendable, Equatable {
        public var name: String
        public var typeName: String
        /// Without the batch axis; nil where unknown.
        public var inputShapes: [[Int]]?
        public var outputShapes: [[Int]]?
    }

    public struct Edge: Sendable, Hashable {
        public var from: Int, to: Int
    }

    public var nodes: [Node] = []
    public var edges: [Edge] = []

    /// Keras's shape text, `(None, 28, 28, 1)`; several as a list; `?` when unknown.
    public static func shapeText(_ shapes: [[Int]]?) -> String { shapes.map(formatShapes) ?? "?" }
}

extension Model {
    public func layerGraph() -> LayerGraph {
        var g = LayerGraph()
        if let f = self as? Functional {
            var index: [String: Int] = [:]
            for input in f.graphInputs {
                index[input.name] = g.nodes.count
                g.nodes.append(.init(name: input.name, typeName: "InputLayer", inputShapes: [input.shape], outputShapes: [input.shape]))
            }
            var layerIndex: [ObjectIdentifier: Int] = [:]
            for layer in f.layers {
                layerIndex[ObjectIdentifier(layer)] = g.nodes.count
                g.nodes.append(.init(name: layer.name, typeName: layer.typeName, inputShapes: nil, outputShapes: nil))
            }
            var byNodeName: [String: Functional.Node] = [:]
            for n in f.nodes { byNodeName[n.name] = n }
            var seen = Set<LayerGraph.Edge>()
            for n in f.nodes {
                guard let to = layerIndex[ObjectIdentifier(n.layer)] else { continue }
                var shapes: [[Int]] = []
                for ref in n.inputs {
                    let (base, k) = FunctionalPlan.split(ref)
                    let from: Int?
                    if let i = index[base], let input = f.graphInputs.first(where: { $0.name == base }) {
                        from = i; shapes.append(input.shape)
                    } else if let source = byNodeName[base] {
                        from = layerIndex[ObjectIdentifier(source.layer)]
                        if k < source.outputShapes.count { shapes.append(source.outputShapes[k]) }
                    } else { from = nil }
                    if let from, seen.insert(.init(from: from, to: to)).inserted { g.edges.append(.init(from: from, to: to)) }
                }
                // As summary: the last application's output; the first application's inputs.
                if g.nodes[to].inputShapes == nil, shapes.count == n.inputs.count { g.nodes[to].inputShapes = shapes }
                if !n.outputShapes.isEmpty { g.nodes[to].outputShapes = n.outputShapes }
            }
            return g
        }
        // A chain: Sequential (Keras shows its InputLayer) or a custom model's layers in order.
        var previous: [[Int]]? = inputShapes.isEmpty ? nil : inputShapes
        if let shapes = previous {
            g.nodes.append(.init(name: "input_layer", typeName: "InputLayer", inputShapes: shapes, outputShapes: shapes))
        }
        for (layer, out) in zip(layers, layerOutputShapes()) {
            if !g.nodes.isEmpty { g.edges.append(.init(from: g.nodes.count - 1, to: g.nodes.count)) }
            g.nodes.append(.init(name: layer.name, typeName: layer.typeName, inputShapes: previous, outputShapes: out))
            previous = out
        }
        return g
    }
}

/// Keras's functional `Model`: a directed acyclic graph of layer applications.
///
/// A graph has named inputs (each with a shape, batch excluded), nodes (a layer applied
/// to named tensors) and named outputs. Tensors are addressed by name:
/// - an input is addressed by its name;
/// - a node's first output is addressed by the node's name, its output `k` by
///   `"name:k"` (`"name:0"` is the same as `"name"`), e.g. `"lstm:1"` for the hidden
///   state of an LSTM with `return_state`.
///
/// A layer object may be applied by several nodes (Keras's shared layers): it is built
/// once, by its first node, and every node uses the same weights; the tape sums the
/// gradients of all uses. Nodes may be added in any order and refer to nodes added
/// later; `build(seed:)` sorts them topologically and reports every graph problem as a
/// `GraphError` (and every shape problem as a `ShapeError` naming the node).
///
/// ```swift
/// let g = Functional(name: "residual")
/// g.addInput(name: "x", shape: [8])
/// g.add(layer: Dense(units: 8, activation: .relu, name: "h"), inputs: ["x"])
/// g.add(layer: Add(name: "skip"), inputs: ["x", "h"])
/// g.setOutputs(["skip"])
/// try g.build(seed: 1)
/// ```
/// or with symbolic tensors: `let x = g.input("x", shape: [8]); let y = Add()(x, dense(x))`.
public final class Functional: Model {
    /// A declared input.
    public struct GraphInput { public let name: String; public let shape: [Int] }

    /// One application of a layer.
    public struct Node {
        public let name: String
        public let layer: any Layer
        /// The tensors it consumes, as written (`"x"`, `"lstm:1"`).
        public let inputs: [String]
        /// Known after `build`.
        public internal(set) var outputShapes: [[Int]] = []
        /// The call argument `training` (`layer(x, training=False)`): when set, the layer
        /// always runs in that mode.
        public let training: Bool?
        /// Which application of `layer` this is (0 for the first; Keras's node index).
        public internal(set) var callIndex = 0
        /// Value slots of the inputs (after build).
        var inputSlots: [Int] = []
        var firstSlot = 0
    }

    public private(set) var graphInputs: [GraphInput] = []
    /// The nodes, in declaration order before `build` and in execution order after.
    public private(set) var nodes: [Node] = []
    public private(set) var outputTensors: [String] = []
    private var outputSlots: [Int] = []
    /// For each node in `nodes`, the slots whose last reader it is (freed after it runs).
    private var freeAfter: [[Int]] = []
    private var slotCount = 0
    private var uniqueLayers: [any Layer] = []
    /// Convolution → BatchNormalization (→ activation) chains that inference runs as one
    /// convolution (``ConvolutionChain``) and BatchNormalization → activation ones run as
    /// one pass (``NormalizationChain``), by the index of their first node.
    private(set) var chains: [Int: any InferenceChain] = [:]
    /// Nodes that run in training together with the node that alone reads them
    /// (``TrainingPair``): the reader's index by the first node's.
    private(set) var trainingPairs: [Int: Int] = [:]
    private var autoNames = Set<String>()

    public init(name: String = "functional") {
        super.init(name: name, inputNames: [], outputNames: [])
    }

    // MARK: Construction

    /// Declares an input named `name` with per-example `shape`.
    @discardableResult
    public func addInput(name: String, shape: [Int]) -> SymbolicTensor {
        graphInputs.append(GraphInput(name: name, shape: shape))
        return SymbolicTensor(name: name, graph: self)
    }

    /// Same as `addInput(name:shape:)` (reads like Keras's `Input`).
    @discardableResult
    public func input(_ name: String, shape: [Int]) -> SymbolicTensor { addInput(name: name, shape: shape) }

    /// Applies `layer` to the tensors named `inputs`; the node is called `name`
    /// (default: the layer's name, or `<layer name>_<k>` for its k-th reuse).
    /// Adding `layer` a second time shares its weights.
    @discardableResult
    public func add(layer: any Layer, name: String? = nil, inputs: [String], training: Bool? = nil) -> SymbolicTensor {
        let nodeName = name ?? freshName(for: layer)
        uniqueLayers = []  // a new node needs a new build
        nodes.append(Node(name: nodeName, layer: layer, inputs: inputs, training: training))
        return SymbolicTensor(name: nodeName, graph: self)
    }

    /// Names the graph's outputs (node names, `"node:k"`, or input names).
    public func setOutputs(_ names: [String]) { outputTensors = names }
    public func setOutputs(_ tensors: [SymbolicTensor]) { outputTensors = tensors.map(\.name) }

    /// Checks the graph, builds every layer in topological order and draws the initial
    /// weights from `seed`.
    public func build(seed: UInt64) throws {
        inputNames = graphInputs.map(\.name)
        outputNames = outputTensors
        try build(inputShapes: graphInputs.map(\.shape), seed: seed)
    }

    private func freshName(for layer: any Layer) -> String {
        let taken = Set(nodes.map(\.name)).union(graphInputs.map(\.name))
        let reused = nodes.contains { $0.layer === layer }
        if !reused, !taken.contains(layer.name) { return layer.name }
        var k = 1
        while taken.contains("\(layer.name)_\(k)") { k += 1 }
        return "\(layer.name)_\(k)"
    }

    // MARK: Model

    public override var layers: [any Layer] {
        if !uniqueLayers.isEmpty { return uniqueLayers }
        var seen = Set<ObjectIdentifier>()
        return nodes.map(\.layer).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    public override func buildLayers(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes == graphInputs.map(\.shape) else {
            throw ShapeError(layer: name, "expected input shapes \(graphInputs.map { kerasShape($0.shape) }), got \(inputShapes.map(kerasShape))")
        }
        let plan = try FunctionalPlan(inputs: graphInputs.map(\.name), nodes: nodes.map { ($0.name, $0.inputs) }, outputs: outputTensors)
        var ordered = plan.order.map { nodes[$0] }
        var shapes = [[Int]?](repeating: nil, count: 0)
        shapes.append(contentsOf: inputShapes.map { Optional($0) })
        var slotOf: [String: Int] = Dictionary(uniqueKeysWithValues: graphInputs.enumerated().map { ($1.name, $0) })
        var built = [ObjectIdentifier: Int]()
        var outputCount: [String: Int] = Dictionary(uniqueKeysWithValues: graphInputs.map { ($0.name, 1) })
        for i in ordered.indices {
            var node = ordered[i]
            node.inputSlots = try node.inputs.map { ref in
                let (base, k) = FunctionalPlan.split(ref)
                guard let first = slotOf[base] else { preconditionFailure("plan resolved \(ref)") }
                let count = outputCount[base]!
                guard k < count else { throw GraphError.badOutputIndex(node: node.name, tensor: ref, outputs: count) }
                return first + k
            }
            let inShapes = node.inputSlots.map { shapes[$0]! }
            let id = ObjectIdentifier(node.layer)
            do {
                if let uses = built[id] {
                    node.callIndex = uses
                    if let unary = node.layer as? any UnaryLayer, inShapes.count == 1 {
                        node.outputShapes = [try unary.outputShape(for: inShapes[0])]
                        try Model.checkOutputShapes(node.outputShapes, layer: node.layer)
                    } else {
                        node.outputShapes = try Model.checkedBuild(node.layer, inputShapes: inShapes, context: &context)
                    }
                } else {
                    node.outputShapes = try Model.checkedBuild(node.layer, inputShapes: inShapes, context: &context)
                }
            } catch let e as ShapeError {
                throw ShapeError(layer: node.name, e.message)
            }
            built[id, default: 0] += 1
            node.firstSlot = shapes.count
            slotOf[node.name] = shapes.count
            outputCount[node.name] = node.outputShapes.count
            shapes.append(contentsOf: node.outputShapes.map { Optional($0) })
            ordered[i] = node
        }
        outputSlots = try outputTensors.map { ref in
            let (base, k) = FunctionalPlan.split(ref)
            let first = slotOf[base]!
            let count = outputCount[base]!
            guard k < count else { throw GraphError.badOutputIndex(node: "outputs", tensor: ref, outputs: count) }
            return first + k
        }
        // Free each intermediate value after its last reader (outputs are kept).
        var lastReader = [Int](repeating: -1, count: shapes.count)
        for (i, n) in ordered.enumerated() { for s in n.inputSlots { lastReader[s] = i } }
        for s in outputSlots { lastReader[s] = -1 }
        freeAfter = ordered.map { _ in [] }
        for (s, r) in lastReader.enumerated() where r >= 0 { freeAfter[r].append(s) }
        nodes = ordered
        slotCount = shapes.count
        chains = findChains(outputs: Set(outputSlots))
        var seen = Set<ObjectIdentifier>()
        uniqueLayers = ordered.map(\.layer).filter { seen.insert(ObjectIdentifier($0)).inserted }
        return outputSlots.map { shapes[$0]! }
    }

    public override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        precondition(isBuilt && inputs.count == graphInputs.count, "Functional '\(name)' called before build or with \(inputs.count) inputs")
        var values = [Tensor?](repeating: nil, count: slotCount)
        // Keras masks, one per value: each layer gets the masks of all its inputs, and
        // its first output carries the mask it computes (forwardWithMasks). `graph` holds
        // the masks as Keras's compute_mask gives them while building the graph, which a
        // GraphMaskReader reads when there is one; `masks` those the layers set as they run.
        var masks = [Tensor?](repeating: nil, count: slotCount)
        var graph = [Tensor?](repeating: nil, count: slotCount)
        var parted = [Bool](repeating: false, count: slotCount)
        for (i, x) in inputs.enumerated() { values[i] = x }
        var fused = Set<Int>()  // nodes a chain already ran
        for (i, node) in nodes.enumerated() {
            if fused.contains(i) || (!training && runChain(at: i, &values, ran: &fused))
                || (training && runTrainingPair(at: i, &values, masks: masks, ran: &fused)) {
                for s in freeAfter[i] { values[s] = nil; masks[s] = nil; graph[s] = nil }
                continue
            }
            let ins = node.inputSlots.map { values[$0]! }
            let outs: [Tensor]
            let runMasks = node.inputSlots.map { masks[$0] }, graphMasks = node.inputSlots.map { graph[$0] }
            let readsGraph = node.layer is any GraphMaskReader && graphMasks.firstMask != nil
            (outs, masks[node.firstSlot]) = forwardWithMasks(node.layer, ins, masks: readsGraph ? graphMasks : runMasks,
                                                             training: node.training ?? training)
            if node.inputSlots.contains(where: { parted[$0] }) || node.layer is any MaskAware {
                graph[node.firstSlot] = graphMask(node.layer, inputs: ins, masks: graphMasks)
                parted[node.firstSlot] = true
            } else {
                graph[node.firstSlot] = masks[node.firstSlot]
            }
            if let clearing = node.layer as? any InputMaskClearing, clearing.clearsInputMasks {
                for s in node.inputSlots where masks[s] != nil { masks[s] = nil; parted[s] = true }
            }
            for (k, y) in outs.enumerated() { values[node.firstSlot + k] = y }
            for s in freeAfter[i] { values[s] = nil; masks[s] = nil; graph[s] = nil }
        }
        return outputSlots.map { values[$0]! }
    }
}

/// A named tensor of a `Functional` graph under construction. Apply a layer to it
/// (`dense(x)`, `Add()(a, b)`) to add a node; `t[1]` is the node's second output.
public struct SymbolicTensor: CustomStringConvertible {
    public let name: String
    public unowned let graph: Functional
    public init(name: String, graph: Functional) { self.name = name; self.graph = graph }
    /// Output `index` of the node this tensor comes from.
    public subscript(index: Int) -> SymbolicTensor {
        SymbolicTensor(name: index == 0 ? FunctionalPlan.split(name).0 : "\(FunctionalPlan.split(name).0):\(index)", graph: graph)
    }
    public var description: String { name }
}

extension Layer {
    /// Adds a node applying this layer to `inputs` to their graph (Keras's `layer(x)`).
    @discardableResult
    public func callAsFunction(_ inputs: SymbolicTensor..., name: String? = nil) -> SymbolicTensor {
        self.callAsFunction(inputs, name: name)
    }

    /// Adds a node applying this layer to a list of tensors (e.g. `Concatenate()([a, b, c])`).
    @discardableResult
    public func callAsFunction(_ inputs: [SymbolicTensor], name: String? = nil) -> SymbolicTensor {
        precondition(!inputs.isEmpty, "a layer needs at least one input tensor")
        let graph = inputs[0].graph
        precondition(inputs.allSatisfy { $0.graph === graph }, "tensors of different graphs")
        return graph.add(layer: self, name: name, inputs: inputs.map(\.name))
    }
}

extension Functional {
    /// The chains of this graph (``inferenceChain(_:_:_:)``): each node's output read only by the
    /// next node of the chain, none of them a graph output or forced into training mode.
    fileprivate func findChains(outputs: Set<Int>) -> [Int: any InferenceChain] {
        var readers = [[Int]](repeating: [], count: slotCount)
        for (i, n) in nodes.enumerated() { for s in n.inputSlots { readers[s].append(i) } }
        func soleReader(of i: Int) -> Int? {
            let n = nodes[i]
            guard n.outputShapes.count == 1, !outputs.contains(n.firstSlot), readers[n.firstSlot].count == 1,
                  let r = readers[n.firstSlot].first, nodes[r].inputSlots == [n.firstSlot], nodes[r].training != true
            else { return nil }
            return r
        }
        var found: [Int: any InferenceChain] = [:]
        var taken = Set<Int>()
        for (i, n) in nodes.enumerated() where !taken.contains(i) && n.training != true {
            let j = soleReader(of: i), k = j.flatMap(soleReader(of:))
            guard let chain = inferenceChain((i, n.layer), j.map { ($0, nodes[$0].layer) }, k.map { ($0, nodes[$0].layer) })
            else { continue }
            found[i] = chain
            taken.formUnion(chain.nodes)
        }
        trainingPairs = [:]
        for j in nodes.indices {
            if let k = soleReader(of: j), TrainingPair.fuses(nodes[j].layer, nodes[k].layer) { trainingPairs[j] = k }
        }
        return found
    }

    /// Runs node `i` in training mode together with the node that alone reads it
    /// (``TrainingPair``), writing the reader's output; false when node `i` starts no such
    /// pair or this input does not allow it.
    fileprivate func runTrainingPair(at i: Int, _ values: inout [Tensor?], masks: [Tensor?], ran: inout Set<Int>) -> Bool {
        guard let k = trainingPairs[i], nodes[i].training != false, let slot = nodes[i].inputSlots.first, masks[slot] == nil,
              let x = values[slot], let y = TrainingPair.run(nodes[i].layer, nodes[k].layer, x) else { return false }
        values[nodes[k].firstSlot] = y
        ran.formUnion([i, k])
        return true
    }

    /// Runs the chain starting at node `i` (inference only), writing its last node's output;
    /// false when there is none or it must run layer by layer.
    fileprivate func runChain(at i: Int, _ values: inout [Tensor?], ran: inout Set<Int>) -> Bool {
        guard let chain = chains[i], let slot = nodes[i].inputSlots.first, let x = values[slot],
              let y = chain.run(x), let last = chain.nodes.last else { return false }
        values[nodes[last].firstSlot] = y
        ran.formUnion(chain.nodes)
        return true
    }
}

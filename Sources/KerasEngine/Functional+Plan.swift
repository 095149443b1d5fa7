import KerasText

/// A problem with the structure of a functional graph, found by `Functional.build`.
/// Every case names the node (or input) at fault.
public enum GraphError: Error, CustomStringConvertible, Equatable {
    /// Two inputs or nodes share a name.
    case duplicateName(String)
    /// A name that cannot address a tensor (empty, or with a `:` not followed by an index).
    case invalidName(String)
    /// `node` consumes a tensor no input or node provides.
    case unknownTensor(node: String, tensor: String, known: [String])
    /// `node` reads output `tensor` (`"x:k"`) of a node with fewer outputs.
    case badOutputIndex(node: String, tensor: String, outputs: Int)
    /// The nodes form a cycle (listed in order, the first repeated at the end).
    case cycle([String])
    /// An input no output depends on.
    case unusedInput(String)
    /// A node no output depends on.
    case unusedNode(String)
    /// A node given no input tensors.
    case nodeWithoutInputs(String)
    case noInputs
    case noOutputs

    public var description: String {
        switch self {
        case let .duplicateName(n): "the name '\(n)' is used twice; inputs and layers need unique names"
        case let .invalidName(n): "'\(n)' is not a valid tensor name (use 'layer' or 'layer:index')"
        case let .unknownTensor(node, t, known):
            "\(node): unknown input '\(t)'" + (suggest(t, among: known).map { " (did you mean '\($0)'?)" } ?? "")
                + "; known tensors: " + known.joined(separator: ", ")
        case let .badOutputIndex(node, t, n): "\(node): '\(t)' asks for an output the layer does not have (it has \(n) output\(n == 1 ? "" : "s"))"
        case let .cycle(names): "the layers form a cycle: " + names.joined(separator: " -> ")
        case let .unusedInput(n): "input '\(n)' is not used by any output"
        case let .unusedNode(n): "\(n): this layer does not lead to any output"
        case let .nodeWithoutInputs(n): "\(n): a layer needs at least one input tensor"
        case .noInputs: "a functional model needs at least one input"
        case .noOutputs: "a functional model needs at least one output"
        }
    }
}

/// The checked structure of a graph: names resolved, nodes in a topological order
/// (declaration order where free), unused inputs and nodes rejected.
struct FunctionalPlan {
    /// Node indices in execution order.
    let order: [Int]
    private let inputNames: Set<String>

    func isInput(_ name: String) -> Bool { inputNames.contains(name) }

    /// Splits `"node:k"` into ("node", k); a plain name is output 0.
    static func split(_ ref: String) -> (String, Int) {
        if let colon = ref.lastIndex(of: ":"), let k = Int(ref[ref.index(after: colon)...]), k >= 0 {
            return (String(ref[..<colon]), k)
        }
        return (ref, 0)
    }

    init(inputs: [String], nodes: [(name: String, inputs: [String])], outputs: [String]) throws {
        guard !inputs.isEmpty else { throw GraphError.noInputs }
        guard !outputs.isEmpty else { throw GraphError.noOutputs }
        var index = [String: Int]()  // input k -> -1-k, node i -> i
        for (k, n) in inputs.enumerated() {
            guard !n.isEmpty, !n.contains(":") else { throw GraphError.invalidName(n) }
            guard index.updateValue(-1 - k, forKey: n) == nil else { throw GraphError.duplicateName(n) }
        }
        for (i, n) in nodes.enumerated() {
            guard !n.name.isEmpty, !n.name.contains(":") else { throw GraphError.invalidName(n.name) }
            guard index.updateValue(i, forKey: n.name) == nil else { throw GraphError.duplicateName(n.name) }
        }
        let known = inputs + nodes.map(\.name)
        func resolve(_ ref: String, for node: String) throws -> Int {
            let (base, _) = Self.split(ref)
            guard let i = index[base] else { throw GraphError.unknownTensor(node: node, tensor: ref, known: known) }
            return i
        }
        let deps: [[Int]] = try nodes.map { n in try n.inputs.map { try resolve($0, for: n.name) } }
        let outs = try outputs.map { try resolve($0, for: "outputs") }
        if let empty = nodes.first(where: { $0.inputs.isEmpty }) { throw GraphError.nodeWithoutInputs(empty.name) }

        // Topological order, stable: always run the earliest-declared ready node.
        var done = [Bool](repeating: false, count: nodes.count)
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while order.count < nodes.count {
            guard let next = nodes.indices.first(where: { !done[$0] && deps[$0].allSatisfy { $0 < 0 || done[$0] } }) else {
                throw GraphError.cycle(Self.findCycle(deps: deps, done: done).map { nodes[$0].name })
            }
            done[next] = true
            order.append(next)
        }

        // Everything must lead to an output.
        var usedNode = [Bool](repeating: false, count: nodes.count)
        var usedInput = [Bool](repeating: false, count: inputs.count)
        var stack = outs
        while let s = stack.popLast() {
            if s < 0 { usedInput[-1 - s] = true; continue }
            if usedNode[s] { continue }
            usedNode[s] = true
            stack.append(contentsOf: deps[s])
        }
        if let k = usedInput.firstIndex(of: false) { throw GraphError.unusedInput(inputs[k]) }
        if let i = order.first(where: { !usedNode[$0] }) { throw GraphError.unusedNode(nodes[i].name) }
        self.order = order
        inputNames = Set(inputs)
    }

    /// A cycle among the nodes not yet done: follow unfinished dependencies until one repeats.
    private static func findCycle(deps: [[Int]], done: [Bool]) -> [Int] {
        var path: [Int] = []
        var position = [Int: Int]()
        var current = done.firstIndex(of: false)!
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = deps[current].first { $0 >= 0 && !done[$0] }!
        }
        return Array(path[position[current]!...]) + [current]
    }
}

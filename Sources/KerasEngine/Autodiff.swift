/// Reverse-mode automatic differentiation on a tape of coarse ops.
///
/// A training step creates a `Tape`, `watch`es the parameters, runs the forward pass,
/// and asks `gradients(of:for:)`. Each op records one node: the ids of its tracked
/// inputs and a closure that maps the gradient of its output to the gradients of those
/// inputs. The closures are hand-written and sit next to their forward (`Tape.record`
/// is the one place they are registered): the general ops in `Ops/`, and the fused ops
/// that belong to one feature beside it — activations in `Activations.swift`, losses in
/// `Losses/Loss.swift`, regularizer penalties in `Regularizers.swift` and
/// `OrthogonalRegularizer.swift`, the embedding gather in `Layers/Embedding.swift`, the
/// mask in `Layers/Recurrent/Masking.swift`.
/// Gradients come back as a `Gradients` value keyed by parameter; nothing is stored on
/// tensors or parameters.
public final class Tape {
    struct Node {
        var inputs: [Int]
        var backward: ((Tensor) -> [Tensor?])?
    }

    var nodes: [Node] = []
    private var watched: [(Parameter, Int)] = []

    public init() {}

    /// Marks `parameter` as a leaf: its `value` becomes tracked on this tape until
    /// `gradients` (or `stop`) is called.
    public func watch(_ parameter: Parameter) {
        let id = nodes.count
        nodes.append(Node(inputs: [], backward: nil))
        parameter.value.tracking = Tracking(tape: self, id: id)
        watched.append((parameter, id))
    }

    /// A tracked leaf for a plain tensor (useful for gradient checks on inputs).
    public func watch(_ tensor: Tensor) -> Tensor {
        var t = tensor
        t.tracking = Tracking(tape: self, id: nodes.count)
        nodes.append(Node(inputs: [], backward: nil))
        return t
    }

    /// Records an op's output. `inputs` are the op's operands (untracked ones are
    /// ignored); `backward` receives d(loss)/d(output) and returns one gradient per
    /// operand in the same order (nil where an operand needs none).
    public static func record(_ output: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard let tape = inputs.lazy.compactMap({ $0.tracking?.tape }).first else { return output }
        let ids = inputs.map { $0.tracking?.tape === tape ? $0.tracking!.id : -1 }
        var out = output
        out.tracking = Tracking(tape: tape, id: tape.nodes.count)
        tape.nodes.append(Node(inputs: ids, backward: backward))
        return out
    }

    /// Back-propagates from a scalar `loss` and returns the gradient of every watched
    /// parameter in `parameters` (zeros where the loss does not depend on it). The tape
    /// is spent afterwards and the parameters are untracked again.
    public func gradients(of loss: Tensor, for parameters: [Parameter]) -> Gradients {
        let seeds = gradientsOfNodes(from: loss)
        var result = Gradients()
        for p in parameters {
            guard let id = watched.first(where: { $0.0 === p })?.1 ?? p.value.tracking.flatMap({ $0.tape === self ? $0.id : nil }) else {
                result[p] = Tensor(shape: p.value.shape)
                continue
            }
            result[p] = seeds[id] ?? Tensor(shape: p.value.shape)
        }
        stop()
        return result
    }

    /// As `gradients(of:for:)`, calling `ready` with each parameter's gradient as soon as the
    /// backward pass has finished it — once every op that used the parameter is behind — so a
    /// caller can send it while the backward pass goes on (data-parallel training).
    public func gradients(of loss: Tensor, for parameters: [Parameter], ready: (Parameter, Tensor) -> Void) -> Gradients {
        // Each parameter's leaf is final once the backward pass has passed its first consumer.
        var leaves: [Int: Parameter] = [:]
        for p in parameters { if let id = watched.first(where: { $0.0 === p })?.1 { leaves[id] = p } }
        var firstUse: [Int: Int] = [:]
        for (id, node) in nodes.enumerated() {
            for input in node.inputs where input >= 0 && leaves[input] != nil && firstUse[input] == nil { firstUse[input] = id }
        }
        let order = leaves.keys.map { (leaf: $0, after: firstUse[$0] ?? Int.max) }.sorted { $0.after > $1.after }
        let seeds = gradientsOfNodes(from: loss, finished: order) { leaf, g in
            if let p = leaves[leaf] { ready(p, g ?? Tensor(shape: p.value.shape)) }
        }
        var result = Gradients()
        for p in parameters {
            guard let id = watched.first(where: { $0.0 === p })?.1 else { result[p] = Tensor(shape: p.value.shape); continue }
            result[p] = seeds[id] ?? Tensor(shape: p.value.shape)
        }
        stop()
        return result
    }

    /// Gradients of a scalar `loss` with respect to tracked tensors made by `watch(_: Tensor)`.
    public func gradients(of loss: Tensor, for tensors: [Tensor]) -> [Tensor] {
        let seeds = gradientsOfNodes(from: loss)
        defer { stop() }
        return tensors.map { t in t.tracking.flatMap { seeds[$0.id] } ?? Tensor(shape: t.shape) }
    }

    /// Forgets every node and untracks the watched parameters.
    public func stop() {
        for (p, _) in watched { p.value.tracking = nil }
        watched.removeAll()
        nodes.removeAll()
    }

    /// `finished`: leaves sorted by the node after whose backward step their gradient is
    /// final, last first; `onFinished` gets each leaf's gradient then.
    private func gradientsOfNodes(from loss: Tensor, finished: [(leaf: Int, after: Int)] = [],
                                  onFinished: (Int, Tensor?) -> Void = { _, _ in }) -> [Tensor?] {
        var grads = [Tensor?](repeating: nil, count: nodes.count)
        var next = 0
        guard let root = loss.tracking, root.tape === self else {
            for f in finished { onFinished(f.leaf, nil) }
            return grads
        }
        grads[root.id] = Tensor(shape: loss.shape, repeating: 1)
        for id in stride(from: root.id, through: 0, by: -1) {
            defer {
                while next < finished.count && finished[next].after >= id { onFinished(finished[next].leaf, grads[finished[next].leaf]); next += 1 }
            }
            guard let g = grads[id], let backward = nodes[id].backward else { continue }
            let inputGrads = backward(g)
            for (k, input) in nodes[id].inputs.enumerated() where input >= 0 {
                guard k < inputGrads.count, let ig = inputGrads[k] else { continue }
                if grads[input] == nil { grads[input] = ig.detached } else { grads[input]!.accumulate(ig) }
            }
            if id != root.id { grads[id] = nil }  // free intermediate gradients early
        }
        return grads
    }
}

/// Where a tracked tensor lives on a tape.
public struct Tracking {
    public let tape: Tape
    public let id: Int
}

/// Gradients keyed by parameter identity.
public struct Gradients {
    private var values: [ObjectIdentifier: Tensor] = [:]
    public init() {}
    public subscript(p: Parameter) -> Tensor? {
        get { values[ObjectIdentifier(p)] }
        set { values[ObjectIdentifier(p)] = newValue }
    }
    public var count: Int { values.count }
}

extension Tensor {
    /// self += other, elementwise (same element count).
    public mutating func accumulate(_ other: Tensor) {
        precondition(count == other.count, "gradient shape \(other.shape) does not match \(shape)")
        let src = other.pointer
        withMutableData { d in for i in 0..<d.count { d[i] += src[i] } }
    }
}

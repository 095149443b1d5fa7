/// Keras `Bidirectional`: runs a recurrent layer forwards and a copy of it backwards
/// (go_backwards flipped) over the same input and merges the two outputs:
/// concat [y, ȳ] (default), sum y + ȳ, mul y⊙ȳ, ave (y + ȳ)/2, or none (both, as two
/// outputs). With return_sequences, ȳ is flipped back to forward time first, and masked
/// steps output 0 (Keras forces zero_output_for_mask). With return_state the outputs are
/// [merged, forward states…, backward states…]. Weights: forward layer's, then backward's.
public final class Bidirectional: Layer, GraphMaskReader, LossContributing {
    public enum MergeMode: String, CaseIterable, Sendable { case concat, sum, mul, ave, none }

    public var name: String
    public let forwardLayer: RecurrentLayer
    public let backwardLayer: RecurrentLayer
    public let mergeMode: MergeMode

    /// `layer` becomes the forward layer (renamed `forward_<name>`); the backward layer is
    /// `backwardLayer` or a copy of `layer` with go_backwards flipped (`backward_<name>`).
    public init(_ layer: RecurrentLayer, mergeMode: MergeMode = .concat, backwardLayer: RecurrentLayer? = nil,
                name: String = "bidirectional") throws {
        let base = layer.name.hasPrefix("forward_") ? String(layer.name.dropFirst(8)) : layer.name
        let backward = backwardLayer ?? layer.reversedCopy(name: "backward_\(base)")
        guard backward.goBackwards != layer.goBackwards else {
            throw ShapeError(layer: name, "forward and backward layers must have different go_backwards, both have \(layer.goBackwards)")
        }
        guard backward.returnSequences == layer.returnSequences, backward.returnState == layer.returnState else {
            throw ShapeError(layer: name, "forward and backward layers must agree on return_sequences and return_state")
        }
        layer.name = "forward_\(base)"
        forwardLayer = layer
        self.backwardLayer = backward
        self.mergeMode = mergeMode
        self.name = name
        for l in [forwardLayer, backward] { l.zeroOutputForMask = l.returnSequences }
    }

    public var parameters: [Parameter] { forwardLayer.parameters + backwardLayer.parameters }

    public var lossTerms: [Tensor] {
        get { forwardLayer.lossTerms + backwardLayer.lossTerms }
        set { forwardLayer.lossTerms = newValue; backwardLayer.lossTerms = [] }
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let f = try forwardLayer.build(inputShapes: inputShapes, context: &context)
        let b = try backwardLayer.build(inputShapes: inputShapes, context: &context)
        guard f[0] == b[0] else {
            throw ShapeError(layer: name, "forward output \(kerasShape(f[0])) and backward output \(kerasShape(b[0])) differ")
        }
        var out = f[0]
        switch mergeMode {
        case .concat: out[out.count - 1] += b[0].last!
        case .sum, .mul, .ave: break
        case .none: return [f[0], b[0]] + f.dropFirst() + b.dropFirst()
        }
        return [out] + f.dropFirst() + b.dropFirst()
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forward(inputs, masks: [], training: training).outputs
    }

    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { forwardLayer.computeMask(inputs: inputs, masks: masks) }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let (ys, outMask) = forwardLayer.forward(inputs, masks: masks, training: training)
        let rs = backwardLayer.forward(inputs, masks: masks, training: training).outputs
        let y = ys[0], yr = forwardLayer.returnSequences ? reverseTime(rs[0]) : rs[0]
        let merged: [Tensor]
        switch mergeMode {
        case .concat: merged = [concatenate([y, yr], axis: y.rank - 1)]
        case .sum: merged = [y + yr]
        case .mul: merged = [y * yr]
        case .ave: merged = [(y + yr) * 0.5]
        case .none: merged = [y, yr]
        }
        return (merged + ys.dropFirst() + rs.dropFirst(), outMask)
    }
}

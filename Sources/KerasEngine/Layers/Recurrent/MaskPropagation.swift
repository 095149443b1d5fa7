/// Keras's masks: a tensor of 1/0 with the shape of a layer's output without its last
/// axis — (batch, time) for sequences — marking padded positions. A layer that makes or
/// uses one (Embedding with mask_zero, Masking, recurrent layers, Bidirectional, the
/// attention layers, masked pooling) is `MaskAware`; a layer that only computes its
/// output's mask from its inputs' (Keras `supports_masking` and `compute_mask`: Dense,
/// Dropout, Activation, LayerNormalization, TimeDistributed pass the first input's on;
/// the merges combine them) is `MaskComputing`. Any other layer drops it, as Keras does.
/// `forwardWithMasks` (Sequential) and `Functional.call` thread masks per tensor: each
/// layer gets the mask of EACH of its inputs, in order (Keras's `mask=[...]` list).
///
/// Keras keeps two views of a mask, and a functional graph shows both: the mask its
/// layers attach when they run (what `forward` returns), and the mask `compute_mask`
/// gives while the graph is built (`computeMask`), which Keras writes into the call of a
/// layer taking `mask` on one tensor (`GraphMaskReader`: pooling, recurrent layers). They
/// part when a layer such as MultiHeadAttention deletes its inputs' masks as it runs
/// (`InputMaskClearing`), or sets a mask `compute_mask` does not know of (keras_hub's
/// TokenAndPositionEmbedding). `Functional.call` keeps both, as Keras does.
public protocol MaskAware: Layer {
    /// The forward pass given the mask of each input (nil where an input has none);
    /// returns the outputs and the mask the first output carries when run.
    func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?)
    /// Keras's `compute_mask`: the first output's mask as the graph is built (default:
    /// the first input's).
    func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor?
}

extension MaskAware {
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { masks.firstMask }
}

/// A layer whose Keras call takes `mask` for its one tensor: Keras records the mask of the
/// graph (`computeMask`) in its call, and uses it whenever there is one.
public protocol GraphMaskReader: MaskAware {}

/// A layer that deletes the Keras masks of its input tensors as it runs (Keras's
/// MultiHeadAttention: `set_keras_mask(query, None)`): layers reading those tensors after
/// it see no mask.
public protocol InputMaskClearing: Layer {
    var clearsInputMasks: Bool { get }
}

extension Array where Element == Tensor? {
    /// The first input's mask (nil when there is none or no input).
    public var firstMask: Tensor? { first ?? nil }
}

/// A layer whose call ignores masks but whose output carries one computed from its
/// inputs' masks (Keras `compute_mask`); by default the first input's, unchanged.
public protocol MaskComputing: Layer {
    func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor?
}

extension MaskComputing {
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { masks.firstMask }
}

extension Dense: MaskComputing {}
extension Dropout: MaskComputing {}
extension ActivationLayer: MaskComputing {}
extension LayerNormalization: MaskComputing {}

/// An elementwise merge: its output's mask is Keras's `Merge.compute_mask` of the inputs'.
public protocol MaskMerging: MaskComputing {}
extension MaskMerging {
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { mergedMask(masks) }
}
extension Add: MaskMerging {}
extension Subtract: MaskMerging {}
extension Multiply: MaskMerging {}
extension Average: MaskMerging {}
extension Maximum: MaskMerging {}
extension Minimum: MaskMerging {}
extension Concatenate: MaskComputing {
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? {
        concatenatedMask(inputs, masks, axis: config.axis < 0 ? config.axis + inputs[0].rank : config.axis)
    }
}

/// Runs one layer on its inputs and their masks: the outputs and the first output's mask.
public func forwardWithMasks(_ layer: any Layer, _ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
    if let aware = layer as? any MaskAware {
        return aware.forward(inputs, masks: masks, training: training)
    }
    let outputs = layer.forward(inputs, training: training)
    guard masks.contains(where: { $0 != nil }), let computing = layer as? any MaskComputing else { return (outputs, nil) }
    return (outputs, computing.computeMask(inputs: inputs, masks: masks))
}

/// Keras's `compute_mask` of `layer` (nil for a layer that supports no masking).
public func graphMask(_ layer: any Layer, inputs: [Tensor], masks: [Tensor?]) -> Tensor? {
    if let aware = layer as? any MaskAware { return aware.computeMask(inputs: inputs, masks: masks) }
    guard masks.contains(where: { $0 != nil }), let computing = layer as? any MaskComputing else { return nil }
    return computing.computeMask(inputs: inputs, masks: masks)
}

/// Runs `layers` in order, threading Keras masks from `MaskAware` producers to consumers;
/// in inference, a run of layers that `chains` holds (by its first layer's index) as one step.
public func forwardWithMasks(_ layers: [any Layer], _ inputs: [Tensor], training: Bool) -> [Tensor] {
    forwardWithMasks(layers, inputs, training: training, chains: [:])
}

func forwardWithMasks(_ layers: [any Layer], _ inputs: [Tensor], training: Bool, chains: [Int: any InferenceChain]) -> [Tensor] {
    var xs = inputs
    var mask: Tensor?
    var i = 0
    while i < layers.count {
        let layer = layers[i]
        if !training, mask == nil, xs.count == 1, let chain = chains[i], let last = chain.nodes.last, let y = chain.run(xs[0]) {
            xs = [y]
            i = last + 1
            continue
        }
        if training, mask == nil, xs.count == 1, i + 1 < layers.count, let y = TrainingPair.run(layer, layers[i + 1], xs[0]) {
            xs = [y]   // the next layer ran inside
            i += 2
            continue
        }
        (xs, mask) = forwardWithMasks(layer, xs, masks: [mask] + [Tensor?](repeating: nil, count: Swift.max(0, xs.count - 1)), training: training)
        i += 1
    }
    return xs
}

/// Keras's `Merge.compute_mask` (Add, Subtract, Multiply, Average, Maximum, Minimum):
/// no mask when any input has none, else the logical OR of the inputs' masks (broadcast
/// as Keras's `logical_or`; masks that do not broadcast give none).
public func mergedMask(_ masks: [Tensor?]) -> Tensor? {
    let present = masks.compactMap { $0 }
    guard present.count == masks.count, var out = present.first else { return nil }
    for m in present.dropFirst() {
        guard Broadcast.shape(out.shape, m.shape) != nil else { return nil }
        out = maximum(out, m)   // 0/1 values: the maximum is the OR (masks are constants, nothing is recorded)
    }
    return out
}

/// Keras's `Concatenate.compute_mask`: an unmasked input counts as all ones; each mask is
/// broadcast over its input's last axis, the masks are concatenated along `axis` (of the
/// full input shape) and reduced with `any` over the last axis. Nil when no input has one.
public func concatenatedMask(_ inputs: [Tensor], _ masks: [Tensor?], axis: Int) -> Tensor? {
    guard masks.contains(where: { $0 != nil }), let first = inputs.first else { return nil }
    let rank = first.rank
    if axis == rank - 1 {
        // Along the features: OR of the masks, an unmasked input making every position 1.
        return masks.contains(where: { $0 == nil }) ? ones(Array(first.shape.dropLast())) : mergedMask(masks)
    }
    // Along an earlier axis: the masks (ones for an unmasked input) joined along it.
    let parts = zip(inputs, masks).map { x, m -> Tensor in
        m.map { reshape($0, Array(x.shape.dropLast())) } ?? ones(Array(x.shape.dropLast()))
    }
    return concatenate(parts, axis: axis)   // masks are constants: nothing is recorded
}

/// An all-ones mask.
private func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

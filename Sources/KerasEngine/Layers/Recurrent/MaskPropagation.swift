/// Keras's masks: a (batch, time) tensor of 1/0 that marks padded time steps. A layer
/// that makes one (Embedding with mask_zero, Masking) or uses one (recurrent layers,
/// Bidirectional, masked pooling) is `MaskAware`; a layer that passes its input's mask
/// on unchanged (Keras `supports_masking` with the default `compute_mask`: Dense,
/// Dropout, Activation, TimeDistributed) is `MaskPreserving`. Any other layer drops it,
/// as Keras does. `Sequential.call` threads the mask through its layers.
public protocol MaskAware: Layer {
    /// The forward pass given the mask of the first input (nil when there is none);
    /// returns the outputs and the mask of the first output (Keras `compute_mask`).
    func forward(_ inputs: [Tensor], mask: Tensor?, training: Bool) -> (outputs: [Tensor], mask: Tensor?)
}

/// A layer whose output carries its input's mask unchanged.
public protocol MaskPreserving: Layer {}

extension Dense: MaskPreserving {}
extension Dropout: MaskPreserving {}
extension ActivationLayer: MaskPreserving {}

/// Runs `layers` in order, threading Keras masks from `MaskAware` producers to consumers.
public func forwardWithMasks(_ layers: [any Layer], _ inputs: [Tensor], training: Bool) -> [Tensor] {
    var xs = inputs
    var mask: Tensor?
    for layer in layers {
        if let aware = layer as? any MaskAware {
            (xs, mask) = aware.forward(xs, mask: mask, training: training)
        } else {
            xs = layer.forward(xs, training: training)
            if !(layer is any MaskPreserving) { mask = nil }
        }
    }
    return xs
}

/// The `axis` of Keras's LayerNormalization, UnitNormalization and GroupNormalization
/// for one input shape: the axes (batch = 0, negative from the end) checked, their sizes
/// in order, and the permutation moving them last when they are not (the ops normalize
/// trailing values).
struct NormalizedAxes {
    /// Sizes of the normalized axes, in axis order.
    let shape: [Int]
    /// Moves the normalized axes last (batch included); nil when they already are.
    let permutation: [Int]?

    /// Throws `ShapeError` naming `kind` when an axis is out of range, the batch, or repeated.
    init(_ axis: [Int], inputShape: [Int], layer: String, kind: String) throws {
        let full = inputShape.count + 1
        let axes = Set(axis.map { $0 < 0 ? $0 + full : $0 })
        guard !axes.isEmpty, axes.count == axis.count, axes.allSatisfy({ $0 >= 1 && $0 < full }) else {
            throw ShapeError(layer: layer, "\(kind) axis \(axis) is out of range (or repeats an axis) for input \(kerasShape(inputShape))")
        }
        let sorted = axes.sorted()
        shape = sorted.map { inputShape[$0 - 1] }
        permutation = sorted == Array((full - axes.count)..<full) ? nil : (0..<full).filter { !axes.contains($0) } + sorted
    }

    /// `body` applied with the normalized axes last, the result's axes put back.
    func apply(_ x: Tensor, _ body: (Tensor) -> Tensor) -> Tensor {
        guard let perm = permutation else { return body(x) }
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return transpose(body(transpose(x, perm)), inverse)
    }
}

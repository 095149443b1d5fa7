/// The `axis` argument of the layers that act along one axis (`Concatenate`, `Softmax`):
/// counted on the full shape as Keras does — the batch axis is 0, negative values count
/// from the end — with Keras's default −1, the last axis.
public struct AxisConfig {
    public var axis = -1
    public init(axis: Int = -1) { self.axis = axis }

    /// The axis as an index of the full shape of an example of rank `exampleRank`
    /// (batch axis included, so 1...exampleRank); nil for the batch axis or beyond the shape.
    func resolved(exampleRank: Int) -> Int? {
        let a = axis < 0 ? axis + exampleRank + 1 : axis
        return a >= 1 && a <= exampleRank ? a : nil
    }
}

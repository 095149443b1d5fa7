/// Keras `Dot(axes, normalize=False)`: the dot product of two inputs along one axis of
/// each, per example: `y[b, i…, j…] = Σₖ x₁[b, i…, k] · x₂[b, k, j…]` with `k` on
/// `axes[0]` of `x₁` and `axes[1]` of `x₂` (axes count the batch axis 0, which cannot be
/// contracted; negative axes count from the end). With `normalize`, each input is first
/// L2-normalized along its axis, so the result is the cosine similarity.
/// The output shape is `x₁`'s remaining axes then `x₂`'s, or `(1,)` if none remain.
public final class Dot: Layer {
    public struct Config {
        /// One axis for both inputs, or one per input.
        public var axes: [Int]
        public var normalize = false
        public init(axes: [Int], normalize: Bool = false) { self.axes = axes; self.normalize = normalize }
    }

    public var name: String
    public let config: Config
    public init(_ config: Config, name: String = "dot") {
        precondition(config.axes.count == 1 || config.axes.count == 2, "Dot axes must hold one or two integers")
        self.config = config; self.name = name
    }
    public convenience init(axes: Int, normalize: Bool = false, name: String = "dot") {
        self.init(Config(axes: [axes], normalize: normalize), name: name)
    }
    public convenience init(axes: (Int, Int), normalize: Bool = false, name: String = "dot") {
        self.init(Config(axes: [axes.0, axes.1], normalize: normalize), name: name)
    }

    public var parameters: [Parameter] { [] }

    /// The contracted axes on full shapes (batch included) of ranks `r1`, `r2`.
    func resolvedAxes(_ r1: Int, _ r2: Int) -> (Int, Int) {
        let a = config.axes[0], b = config.axes.count == 2 ? config.axes[1] : config.axes[0]
        func norm(_ x: Int, _ r: Int) -> Int { x < 0 ? ((x % r) + r) % r : x }
        return (norm(a, r1), norm(b, r2))
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes.count == 2 else {
            throw ShapeError(layer: name, "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=[\(inputShapes.map(kerasShape).joined(separator: ", "))]")
        }
        let s1 = [-1] + inputShapes[0], s2 = [-1] + inputShapes[1]
        let (a1, a2) = resolvedAxes(s1.count, s2.count)
        guard a1 >= 1, a2 >= 1, a1 < s1.count, a2 < s2.count else {
            throw ShapeError(layer: name, "axes \(config.axes) do not fit input shapes \(kerasShape(inputShapes[0])) and \(kerasShape(inputShapes[1])) (axis 0 is the batch axis)")
        }
        guard s1[a1] == s2[a2] else {
            throw ShapeError(layer: name, "Incompatible input shapes: axis values \(s1[a1]) (at axis \(a1)) != \(s2[a2]) (at axis \(a2)). Full input shapes: \(kerasShape(inputShapes[0])), \(kerasShape(inputShapes[1]))")
        }
        var out = Array(s1.dropFirst()); out.remove(at: a1 - 1)
        var rest2 = Array(s2.dropFirst()); rest2.remove(at: a2 - 1)
        out += rest2
        return [out.isEmpty ? [1] : out]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        var x = inputs[0], y = inputs[1]
        let (a1, a2) = resolvedAxes(x.rank, y.rank)
        if config.normalize { x = l2Normalize(x, axis: a1); y = l2Normalize(y, axis: a2) }
        return [batchDot(x, y, axes: (a1, a2))]
    }
}

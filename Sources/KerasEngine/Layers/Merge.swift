/// Keras's elementwise merge layers: `Add`, `Subtract`, `Multiply`, `Average`,
/// `Maximum`, `Minimum`. They take a list of tensors and fold them left to right with
/// a broadcasting op, so their gradients come from the ops' backward rules.
///
/// Shapes follow Keras's `Merge`: per-example shapes are aligned at their last axes;
/// two sizes are compatible when equal or when one is 1; a lower-rank input gets size-1
/// axes inserted after the batch axis. Anything else throws
/// "Inputs have incompatible shapes. Received shapes (3,) and (4,)".
public protocol ElementwiseMerge: Layer {
    /// Combines the (rank-aligned) inputs.
    func merge(_ xs: [Tensor]) -> Tensor
    /// Checks the number of inputs (the default accepts one or more).
    func checkArity(_ inputShapes: [[Int]]) throws
}

extension ElementwiseMerge {
    public var parameters: [Parameter] { [] }
    public func checkArity(_ inputShapes: [[Int]]) throws {
        guard !inputShapes.isEmpty else {
            throw ShapeError(layer: name, "A merge layer should be called on a list of at least 1 input. Received 0 inputs.")
        }
    }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        try checkArity(inputShapes)
        var out = inputShapes[0]
        for s in inputShapes.dropFirst() {
            guard let next = mergedShape(out, s) else {
                throw ShapeError(layer: name, "Inputs have incompatible shapes. Received shapes \(pythonTuple(out)) and \(pythonTuple(s))")
            }
            out = next
        }
        return [out]
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        let rank = inputs.map(\.rank).max() ?? 0
        let aligned = inputs.map { x in
            x.rank == rank ? x : reshape(x, [x.batchSize] + Array(repeating: 1, count: rank - x.rank) + x.shape.dropFirst())
        }
        return [merge(aligned)]
    }
}

/// Keras's `_compute_elemwise_op_output_shape` (per-example shapes).
func mergedShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let (long, short) = a.count >= b.count ? (a, b) : (b, a)
    var out = Array(long.prefix(long.count - short.count))
    for (i, j) in zip(long.suffix(short.count), short) {
        if i == 1 { out.append(j) } else if j == 1 || i == j { out.append(i) } else { return nil }
    }
    return out
}

/// A per-example shape as Python prints a tuple: `(3,)`, `(4, 5)`.
func pythonTuple(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
}

/// Keras `Add`: `x₁ + x₂ + … + xₙ`.
public final class Add: ElementwiseMerge {
    public var name: String
    public init(name: String = "add") { self.name = name }
    public func merge(_ xs: [Tensor]) -> Tensor { xs.dropFirst().reduce(xs[0], +) }
}

/// Keras `Subtract`: `x₁ − x₂` (exactly two inputs).
public final class Subtract: ElementwiseMerge {
    public var name: String
    public init(name: String = "subtract") { self.name = name }
    public func checkArity(_ inputShapes: [[Int]]) throws {
        guard inputShapes.count == 2 else {
            throw ShapeError(layer: name, "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[\(inputShapes.map(kerasShape).joined(separator: ", "))]")
        }
    }
    public func merge(_ xs: [Tensor]) -> Tensor { xs[0] - xs[1] }
}

/// Keras `Multiply`: `x₁ ⊙ x₂ ⊙ … ⊙ xₙ`.
public final class Multiply: ElementwiseMerge {
    public var name: String
    public init(name: String = "multiply") { self.name = name }
    public func merge(_ xs: [Tensor]) -> Tensor { xs.dropFirst().reduce(xs[0], *) }
}

/// Keras `Average`: `(x₁ + … + xₙ) / n`.
public final class Average: ElementwiseMerge {
    public var name: String
    public init(name: String = "average") { self.name = name }
    public func merge(_ xs: [Tensor]) -> Tensor { xs.dropFirst().reduce(xs[0], +) / Tensor(Float(xs.count)) }
}

/// Keras `Maximum`: elementwise `max(x₁, …, xₙ)`; on ties the gradient goes to the earlier input.
public final class Maximum: ElementwiseMerge {
    public var name: String
    public init(name: String = "maximum") { self.name = name }
    public func merge(_ xs: [Tensor]) -> Tensor { xs.dropFirst().reduce(xs[0]) { maximum($0, $1) } }
}

/// Keras `Minimum`: elementwise `min(x₁, …, xₙ)`; on ties the gradient goes to the earlier input.
public final class Minimum: ElementwiseMerge {
    public var name: String
    public init(name: String = "minimum") { self.name = name }
    public func merge(_ xs: [Tensor]) -> Tensor { xs.dropFirst().reduce(xs[0]) { minimum($0, $1) } }
}

/// The size checks of a model build: every shape that reaches a layer, and every shape
/// a layer produces, has dimensions in 1...``ShapeArithmetic/maxDimension`` and an
/// element count that fits the memory budget; every weight was admitted by
/// ``WeightAllocation``. A failure is a `ShapeError` naming the layer, which the builder
/// locates in the spec.
extension Model {
    /// Builds `layer` with the checks above.
    static func checkedBuild(_ layer: any Layer, inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let out = try layer.build(inputShapes: inputShapes, context: &context)
        if let problem = WeightAllocation.takeProblem() { throw ShapeError(layer: layer.name, problem) }
        try checkOutputShapes(out, layer: layer)
        return out
    }

    /// Checks the shapes a layer produced and adds them to the activation count.
    static func checkOutputShapes(_ shapes: [[Int]], layer: any Layer) throws {
        for shape in shapes {
            let n = try checkShape(shape, layer: layer.name, what: "its output shape")
            WeightAllocation.activationElements = ShapeArithmetic.sum(WeightAllocation.activationElements, n) ?? Int.max
        }
    }

    /// Checks a model's input shapes.
    static func checkInputShapes(_ shapes: [[Int]], model: String) throws {
        for shape in shapes {
            let n = try checkShape(shape, layer: model, what: "the input shape")
            WeightAllocation.activationElements = ShapeArithmetic.sum(WeightAllocation.activationElements, n) ?? Int.max
        }
    }

    /// The element count of `shape` (per example), or a `ShapeError`.
    @discardableResult
    static func checkShape(_ shape: [Int], layer: String, what: String) throws -> Int {
        if let bad = shape.first(where: { $0 < 1 || $0 > ShapeArithmetic.maxDimension }) {
            let text = kerasShape(shape)
            if bad < 1 {
                throw ShapeError(layer: layer, "\(what) \(text) has a dimension below 1")
            }
            throw ShapeError(layer: layer, "\(what) \(text) has a dimension over \(ShapeArithmetic.maxDimension), the largest supported")
        }
        guard let bytes = ShapeArithmetic.floatBytes(shape), bytes <= MemoryBudget.bytes, let n = ShapeArithmetic.count(shape) else {
            let size = ShapeArithmetic.floatBytes(shape).map { ShapeArithmetic.describe(bytes: $0) } ?? "more than 9 EB"
            throw ShapeError(layer: layer, "\(what) \(kerasShape(shape)) takes \(size) for a single example, over \(MemoryBudget.describeLimit)")
        }
        return n
    }
}

import XCTest
@testable import KerasEngine

/// `keras.ops` operations as graph nodes: values by hand, shapes, and central-difference
/// gradients of every function (constants in either position).
final class OperationLayerTests: XCTestCase {
    func run(_ op: OperationLayer, _ inputs: [Tensor]) throws -> Tensor {
        var context = BuildContext(rng: RNG(seed: 1))
        let shapes = try op.build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, context: &context)
        let y = op.forward(inputs, training: false)[0]
        XCTAssertEqual(Array(y.shape.dropFirst()), shapes[0], op.typeName)
        return y
    }

    func testConstantsTakeTheirPlaceInTheCall() throws {
        let x = Tensor(shape: [1, 3], data: [1, 2, 4])
        // 2 - x, x - 2, x / 4, 4 / x, (x + 3) * 1/6 as MobileNetV3 writes its hard sigmoid.
        XCTAssertEqual(try run(OperationLayer(.binary(.subtract), constants: [0: 2], typeName: "Subtract", name: "s"), [x]).scalars, [1, 0, -2])
        XCTAssertEqual(try run(OperationLayer(.binary(.subtract), constants: [1: 2], typeName: "Subtract", name: "s"), [x]).scalars, [-1, 0, 2])
        XCTAssertEqual(try run(OperationLayer(.binary(.divide), constants: [1: 4], typeName: "Divide", name: "d"), [x]).scalars, [0.25, 0.5, 1])
        XCTAssertEqual(try run(OperationLayer(.binary(.divide), constants: [0: 4], typeName: "Divide", name: "d"), [x]).scalars, [4, 2, 1])
        XCTAssertEqual(try run(OperationLayer(.power, constants: [1: 2], typeName: "Power", name: "p"), [x]).scalars, [1, 4, 16])
        XCTAssertEqual(try run(OperationLayer(.binary(.maximum), constants: [1: 1.5], typeName: "Maximum", name: "m"), [x]).scalars, [1.5, 2, 4])
    }

    func testShapesAndReductions() throws {
        let x = Tensor(shape: [2, 2, 3], data: (0..<12).map(Float.init))
        let m = try run(OperationLayer(.reduce(.mean, axes: [0], keepdims: true), typeName: "Mean", name: "m"), [x])
        XCTAssertEqual(m.shape, [2, 1, 3])
        XCTAssertEqual(m.scalars, [1.5, 2.5, 3.5, 7.5, 8.5, 9.5])
        let s = try run(OperationLayer(.reduce(.sum, axes: nil, keepdims: false), typeName: "Sum", name: "s"), [x])
        XCTAssertEqual(s.shape, [2])
        XCTAssertEqual(s.scalars, [15, 51])
        let t = try run(OperationLayer(.transpose([1, 0]), typeName: "Transpose", name: "t"), [x])
        XCTAssertEqual(t.shape, [2, 3, 2])
        XCTAssertEqual(Array(t.scalars[0..<6]), [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(try run(OperationLayer(.reshape([-1]), typeName: "Reshape", name: "r"), [x]).shape, [2, 6])
        XCTAssertEqual(try run(OperationLayer(.expandDims(-1), typeName: "ExpandDims", name: "e"), [x]).shape, [2, 2, 3, 1])
        XCTAssertEqual(try run(OperationLayer(.concatenate(axis: -1), typeName: "Concatenate", name: "c"), [x, x]).shape, [2, 2, 6])
    }

    func testShapeErrorsAreThrown() {
        var context = BuildContext(rng: RNG(seed: 1))
        XCTAssertThrowsError(try OperationLayer(.binary(.add), typeName: "Add", name: "a").build(inputShapes: [[3]], context: &context))
        XCTAssertThrowsError(try OperationLayer(.binary(.add), typeName: "Add", name: "a").build(inputShapes: [[3], [4]], context: &context))
        XCTAssertThrowsError(try OperationLayer(.reshape([5]), typeName: "Reshape", name: "r").build(inputShapes: [[2, 3]], context: &context))
        XCTAssertThrowsError(try OperationLayer(.reduce(.mean, axes: [3], keepdims: false), typeName: "Mean", name: "m").build(inputShapes: [[2, 3]], context: &context))
        XCTAssertThrowsError(try OperationLayer(.transpose([0, 0]), typeName: "Transpose", name: "t").build(inputShapes: [[2, 3]], context: &context))
        XCTAssertThrowsError(try OperationLayer(.power, typeName: "Power", name: "p").build(inputShapes: [[2], [2]], context: &context))
    }

    func testGradients() throws {
        var rng = RNG(seed: 3)
        func random(_ shape: [Int], positive: Bool = false) -> Tensor {
            var t = Tensor(shape: shape)
            for i in 0..<t.count { t[flat: i] = positive ? Float(0.5 + rng.uniformDouble()) : Float(rng.normal()) }
            return t
        }
        let a = random([2, 3, 4], positive: true), b = random([2, 3, 4], positive: true), col = random([2, 3, 1], positive: true)
        let cases: [(OperationLayer, [Tensor])] = [
            (OperationLayer(.binary(.add), typeName: "Add", name: "add"), [a, col]),
            (OperationLayer(.binary(.subtract), constants: [0: 2], typeName: "Subtract", name: "sub"), [a]),
            (OperationLayer(.binary(.multiply), typeName: "Multiply", name: "mul"), [a, b]),
            (OperationLayer(.binary(.divide), typeName: "Divide", name: "div"), [a, col]),
            (OperationLayer(.binary(.divide), constants: [0: 1.5], typeName: "Divide", name: "rdiv"), [a]),
            (OperationLayer(.power, constants: [1: 1.5], typeName: "Power", name: "pow"), [a]),
            (OperationLayer(.unary(.sqrt), typeName: "Sqrt", name: "sqrt"), [a]),
            (OperationLayer(.unary(.log), typeName: "Log", name: "log"), [a]),
            (OperationLayer(.unary(.square), typeName: "Square", name: "sq"), [a]),
            (OperationLayer(.unary(.negative), typeName: "Negative", name: "neg"), [a]),
            (OperationLayer(.activation(.hardSilu), typeName: "HardSilu", name: "hs"), [random([2, 3, 4])]),
            (OperationLayer(.activation(.gelu(approximate: true)), typeName: "Gelu", name: "gelu"), [random([2, 3, 4])]),
            (OperationLayer(.reduce(.mean, axes: [0, -1], keepdims: true), typeName: "Mean", name: "mean"), [a]),
            (OperationLayer(.reduce(.sum, axes: [1], keepdims: false), typeName: "Sum", name: "sum"), [a]),
            (OperationLayer(.transpose([1, 0]), typeName: "Transpose", name: "tr"), [a]),
            (OperationLayer(.reshape([4, -1]), typeName: "Reshape", name: "rs"), [a]),
            (OperationLayer(.concatenate(axis: 0), typeName: "Concatenate", name: "cat"), [a, b]),
        ]
        for (op, inputs) in cases {
            var context = BuildContext(rng: RNG(seed: 1))
            _ = try op.build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, context: &context)
            let report = GradientCheck.check(inputs: inputs) { xs in op.forward(xs, training: false)[0] }
            XCTAssertGreaterThan(report.checked, 0, op.name)
        }
    }
}

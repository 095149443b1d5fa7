import XCTest
@testable import KerasEngine

final class MergeTests: XCTestCase {
    private func built(_ layer: any Layer, _ shapes: [[Int]]) throws -> [[Int]] {
        var ctx = BuildContext(rng: RNG(seed: 1))
        return try layer.build(inputShapes: shapes, context: &ctx)
    }

    private func randoms(_ shapes: [[Int]]) -> [Tensor] {
        shapes.enumerated().map { GradientCheck.random($1, seed: UInt64(10 + $0)) }
    }

    func testElementwiseMergesHandComputed() throws {
        let a = Tensor(shape: [1, 3], data: [1, -2, 3]), b = Tensor(shape: [1, 3], data: [4, 5, -6])
        XCTAssertEqual(Add().forward([a, b], training: false)[0].scalars, [5, 3, -3])
        XCTAssertEqual(Subtract().forward([a, b], training: false)[0].scalars, [-3, -7, 9])
        XCTAssertEqual(Multiply().forward([a, b], training: false)[0].scalars, [4, -10, -18])
        XCTAssertEqual(Average().forward([a, b], training: false)[0].scalars, [2.5, 1.5, -1.5])
        XCTAssertEqual(Maximum().forward([a, b], training: false)[0].scalars, [4, 5, 3])
        XCTAssertEqual(Minimum().forward([a, b], training: false)[0].scalars, [1, -2, -6])
        XCTAssertEqual(Concatenate().forward([a, b], training: false)[0].scalars, [1, -2, 3, 4, 5, -6])
        XCTAssertEqual(Dot(axes: 1).forward([a, b], training: false)[0].scalars, [4 - 10 - 18])
    }

    func testGradientChecksForEveryMergeLayer() throws {
        let three: [[Int]] = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
        for layer in [Add(), Multiply(), Average(), Maximum(), Minimum()] as [any Layer] {
            _ = try built(layer, three.map { Array($0.dropFirst()) })
            let xs = randoms(three)
            // Skip kinks of max/min: elements where two inputs are within the step.
            let nearTie: (Int, Int) -> Bool = { _, i in
                let v = xs.map { $0[flat: i] }.sorted()
                return zip(v, v.dropFirst()).contains { $1 - $0 < 0.05 }
            }
            GradientCheck.check(inputs: xs, skip: nearTie) { layer.forward($0, training: false)[0] }
        }
        let sub = Subtract()
        GradientCheck.check(inputs: randoms([[2, 5], [2, 5]])) { sub.forward($0, training: false)[0] }
        // Broadcasting and rank alignment (Keras inserts axes after the batch axis).
        let add = Add()
        XCTAssertEqual(try built(add, [[3, 4], [1, 4], [4]]), [[3, 4]])
        GradientCheck.check(inputs: randoms([[2, 3, 4], [2, 1, 4], [2, 4]])) { add.forward($0, training: false)[0] }
        let cat = Concatenate(axis: 1)
        XCTAssertEqual(try built(cat, [[1, 2], [3, 2]]), [[4, 2]])
        GradientCheck.check(inputs: randoms([[2, 1, 2], [2, 3, 2]])) { cat.forward($0, training: false)[0] }
        let catLast = Concatenate()
        GradientCheck.check(inputs: randoms([[2, 3, 2], [2, 3, 1], [2, 3, 3]])) { catLast.forward($0, training: false)[0] }
        for (dot, shapes) in [(Dot(axes: 1), [[3, 5], [3, 5]]), (Dot(axes: 1, normalize: true), [[3, 5], [3, 5]]),
                              (Dot(axes: (1, 2)), [[2, 3, 4], [2, 5, 3]]), (Dot(axes: -1, normalize: true), [[2, 3, 4], [2, 5, 4]]),
                              (Dot(axes: (2, 1)), [[2, 3, 4, 2], [2, 4, 3]])] {
            _ = try built(dot, shapes.map { Array($0.dropFirst()) })
            GradientCheck.check(inputs: randoms(shapes), eps: 1e-3) { dot.forward($0, training: false)[0] }
        }
    }

    func testMergeLayersMatchKeras() throws {
        var ran = 0
        for c in try KerasReference.cases("graph") where c["kind"] as? String == "merge" {
            let name = c["name"] as! String
            let config = c["config"] as! [String: Any]
            let xs = (c["inputs"] as! [Any]).map { KerasReference.tensor($0)! }
            let layer: any Layer
            switch c["layer"] as! String {
            case "Add": layer = Add()
            case "Subtract": layer = Subtract()
            case "Multiply": layer = Multiply()
            case "Average": layer = Average()
            case "Maximum": layer = Maximum()
            case "Minimum": layer = Minimum()
            case "Concatenate": layer = Concatenate(axis: config["axis"] as! Int)
            case "Dot": layer = Dot(Dot.Config(axes: config["axes"] as! [Int], normalize: config["normalize"] as? Bool ?? false))
            default: XCTFail("unknown layer in \(name)"); continue
            }
            _ = try built(layer, xs.map { Array($0.shape.dropFirst()) })
            let tape = Tape()
            let tracked = xs.map { tape.watch($0) }
            let y = layer.forward(tracked, training: false)[0]
            KerasReference.assertClose(y.detached, KerasReference.tensor(c["output"])!, tolerance: 1e-5, "\(name) output")
            XCTAssertEqual(y.shape, KerasReference.tensor(c["output"])!.shape, name)
            let grads = tape.gradients(of: sum(y * KerasReference.tensor(c["weight"])!), for: tracked)
            for (k, g) in (c["grads"] as! [Any]).enumerated() {
                KerasReference.assertClose(grads[k], KerasReference.tensor(g)!, tolerance: 1e-4, "\(name) grad \(k)")
            }
            ran += 1
        }
        XCTAssertEqual(ran, 15, "merge cases run")
    }

    func testMergeShapeErrorsUseKerasWording() {
        func message(_ layer: any Layer, _ shapes: [[Int]]) -> String {
            do { _ = try built(layer, shapes); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(Add(name: "skip"), [[3], [4]]), "skip: Inputs have incompatible shapes. Received shapes (3,) and (4,)")
        XCTAssertEqual(message(Subtract(), [[3], [3], [3]]),
                       "subtract: A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 3), (None, 3), (None, 3)]")
        XCTAssertEqual(message(Concatenate(), [[2, 3], [4, 5]]),
                       "concatenate: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=[(None, 2, 3), (None, 4, 5)]")
        XCTAssertEqual(message(Dot(axes: 1), [[3], [4]]),
                       "dot: Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). Full input shapes: (None, 3), (None, 4)")
        XCTAssertTrue(message(Dot(axes: 1), [[3]]).hasPrefix("dot: A `Dot` layer should be called on a list of 2 inputs."))
    }
}

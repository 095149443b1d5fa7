import XCTest
@testable import KerasEngine

/// ZeroPadding3D and Cropping3D: asymmetric amounts per axis by hand, and gradient checks.
final class Padding3DTests: XCTestCase {
    func layer(crop: Bool, _ amounts: [(Int, Int)]) -> SpatialPadding {
        SpatialPadding(.init(rank: 3, crop: crop, amounts: amounts.map { (before: $0.0, after: $0.1) }))
    }

    func testAsymmetricPaddingAndCropping() throws {
        // x[d, h, w] = 100d + 10h + w on a (2, 2, 3) volume, 1 channel.
        let values: [Float] = (0..<12).map { (i: Int) -> Float in
            let d = i / 6, h = (i / 3) % 2, w = i % 3
            return Float(100 * d + 10 * h + w)
        }
        let x = Tensor(shape: [1, 2, 2, 3, 1], data: values)
        let pad = layer(crop: false, [(1, 0), (0, 2), (2, 1)])
        XCTAssertEqual(try pad.outputShape(for: [2, 2, 3, 1]), [3, 4, 6, 1])
        XCTAssertEqual(pad.typeName, "ZeroPadding3D")
        let y = pad(x, training: false)
        XCTAssertEqual(y.shape, [1, 3, 4, 6, 1])
        func at(_ t: Tensor, _ d: Int, _ h: Int, _ w: Int) -> Float { t[flat: (d * t.shape[2] + h) * t.shape[3] + w] }
        XCTAssertEqual(at(y, 0, 0, 2), 0)        // the added depth slice
        XCTAssertEqual(at(y, 1, 0, 2), 0)        // x[0, 0, 0] moved by (1, 0, 2)
        XCTAssertEqual(at(y, 2, 1, 4), 112)      // x[1, 1, 2]
        XCTAssertEqual(at(y, 2, 2, 4), 0)        // padding below
        let crop = layer(crop: true, [(1, 0), (0, 1), (1, 1)])
        XCTAssertEqual(crop.typeName, "Cropping3D")
        XCTAssertEqual(try crop.outputShape(for: [2, 2, 3, 1]), [1, 1, 1, 1])
        XCTAssertEqual(crop(x, training: false)[flat: 0], 101)   // x[1, 0, 1]
        XCTAssertThrowsError(try layer(crop: true, [(1, 1), (0, 0), (0, 0)]).outputShape(for: [2, 2, 3, 1]))
        XCTAssertThrowsError(try pad.outputShape(for: [2, 3, 1]))
    }

    func testGradients() throws {
        let x = GradientCheck.random([2, 3, 2, 4, 2], seed: 12)
        for (crop, amounts) in [(false, [(1, 0), (0, 2), (2, 1)]), (true, [(1, 0), (0, 1), (1, 2)])] {
            let l = layer(crop: crop, amounts)
            _ = try l.outputShape(for: Array(x.shape.dropFirst()))
            XCTAssertEqual(GradientCheck.check(inputs: [x]) { l($0[0], training: false) }.checked, x.count)
        }
    }
}

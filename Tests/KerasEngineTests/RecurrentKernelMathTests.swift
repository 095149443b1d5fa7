import XCTest
import Foundation
@testable import KerasEngine

/// The recurrent kernels' own exp/sigmoid/tanh (scalar and eight-lane) against libm, and
/// the partial loads and stores that handle a row's tail.
final class RecurrentKernelMathTests: XCTestCase {
    /// x from -100 to 100: the saturated ends, the polynomial's whole range and tiny values.
    var sweep: [Float] {
        var xs: [Float] = [0, -0.0, 1e-8, -1e-8, 1e-3, -1e-3, 86.9, -86.9, 87.5, -87.5, 100, -100]
        var x: Float = -20
        while x <= 20 { xs.append(x); x += 0.0137 }
        while xs.count % 8 != 0 { xs.append(0.5) }
        return xs
    }

    func testScalarAndVectorAgreeWithLibm() {
        let xs = sweep
        var worstTanh: Float = 0, worstSigmoid: Float = 0, worstLane: Float = 0
        for start in stride(from: 0, to: xs.count, by: 8) {
            var v = Float8()
            for k in 0..<8 { v[k] = xs[start + k] }
            let t8 = fastTanh(v), s8 = fastSigmoid(v)
            for k in 0..<8 {
                let x = xs[start + k]
                let wantT = Float(Foundation.tanh(Double(x))), wantS = Float(1 / (1 + Foundation.exp(-Double(x))))
                worstTanh = max(worstTanh, abs(fastTanh(x) - wantT))
                worstSigmoid = max(worstSigmoid, abs(fastSigmoid(x) - wantS))
                worstLane = max(worstLane, abs(t8[k] - fastTanh(x)), abs(s8[k] - fastSigmoid(x)))
                XCTAssertEqual(t8[k].sign, wantT == 0 ? t8[k].sign : wantT.sign, "tanh sign at \(x)")
            }
        }
        XCTAssertLessThan(worstTanh, 3e-7)
        XCTAssertLessThan(worstSigmoid, 3e-7)
        XCTAssertLessThan(worstLane, 1e-7, "vector lanes equal the scalar function")
        // exp itself, relative, over its domain (x ≤ 0).
        for x in stride(from: Float(-80), through: 0, by: 0.37) {
            let want = Foundation.exp(Double(x))
            XCTAssertLessThan(abs(Double(fastExpNeg(x)) - want) / want, 1e-6, "exp(\(x))")
        }
    }

    func testPartialLoadsAndStores() {
        let src: [Float] = (0..<11).map { Float($0) + 1 }
        var dst = [Float](repeating: -1, count: 11)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                forEach8(11) { j, m in store8(load8(s.baseAddress! + j, m) * 2, d.baseAddress! + j, m) }
            }
        }
        XCTAssertEqual(dst, src.map { $0 * 2 })
        // A short tail reads zeros beyond its end and writes nothing past it.
        var short: [Float] = [1, 2, 3, 99]
        short.withUnsafeMutableBufferPointer { p in
            let v = load8(p.baseAddress!, 3)
            XCTAssertEqual(Array((0..<8).map { v[$0] }), [1, 2, 3, 0, 0, 0, 0, 0])
            store8(Float8(repeating: 7), p.baseAddress!, 3)
        }
        XCTAssertEqual(short, [7, 7, 7, 99])
    }
}

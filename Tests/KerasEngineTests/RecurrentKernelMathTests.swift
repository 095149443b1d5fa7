import XCTest
import Foundation
@testable import KerasEngine

/// The recurrent kernels' own eight-lane exp/sigmoid/tanh against libm, and the partial
/// loads and stores that handle a row's tail.
final class RecurrentKernelMathTests: XCTestCase {
    /// x from -100 to 100: the saturated ends, the polynomial's whole range and tiny values.
    var sweep: [Float] {
        var xs: [Float] = [0, -0.0, 1e-8, -1e-8, 1e-3, -1e-3, 86.9, -86.9, 87.5, -87.5, 100, -100]
        var x: Float = -20
        while x <= 20 { xs.append(x); x += 0.0137 }
        while xs.count % 8 != 0 { xs.append(0.5) }
        return xs
    }

    /// f applied to `xs` eight at a time.
    func lanes(_ xs: [Float], _ f: (Float8) -> Float8) -> [Float] {
        stride(from: 0, to: xs.count, by: 8).flatMap { start -> [Float] in
            var v = Float8()
            for k in 0..<8 { v[k] = xs[start + k] }
            let y = f(v)
            return (0..<8).map { y[$0] }
        }
    }

    func testVectorFunctionsAgreeWithLibm() {
        let xs = sweep
        let tanhs = lanes(xs, fastTanh), sigmoids = lanes(xs, fastSigmoid)
        var worstTanh: Float = 0, worstSigmoid: Float = 0
        for (k, x) in xs.enumerated() {
            let wantT = Float(Foundation.tanh(Double(x))), wantS = Float(1 / (1 + Foundation.exp(-Double(x))))
            worstTanh = max(worstTanh, abs(tanhs[k] - wantT))
            worstSigmoid = max(worstSigmoid, abs(sigmoids[k] - wantS))
            if wantT != 0 { XCTAssertEqual(tanhs[k].sign, wantT.sign, "tanh sign at \(x)") }
        }
        XCTAssertLessThan(worstTanh, 3e-7)
        XCTAssertLessThan(worstSigmoid, 3e-7)
        // exp itself, relative, over its domain (x ≤ 0).
        var negatives = Array(stride(from: Float(-80), through: 0, by: 0.37))
        while negatives.count % 8 != 0 { negatives.append(0) }
        for (x, got) in zip(negatives, lanes(negatives, fastExpNeg)) {
            let want = Foundation.exp(Double(x))
            XCTAssertLessThan(abs(Double(got) - want) / want, 1e-6, "exp(\(x))")
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

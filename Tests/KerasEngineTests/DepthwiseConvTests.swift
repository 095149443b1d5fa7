import XCTest
@testable import KerasEngine

/// The direct depthwise kernel computes what a grouped convolution (groups = channels,
/// im2col + GEMM, checked against Keras elsewhere) computes — values and all three
/// gradients — for strides, dilation, same padding and depth multipliers 1 and 3.
final class DepthwiseConvTests: XCTestCase {
    func testMatchesGroupedConvolution() {
        var rng = RNG(seed: 21)
        func random(_ shape: [Int]) -> Tensor {
            var t = Tensor(shape: shape)
            for i in 0..<t.count { t[flat: i] = Float(rng.normal()) }
            return t
        }
        for (m, stride, dilation) in [(1, 1, 1), (1, 2, 1), (3, 1, 2), (3, 2, 1)] {
            let (h, w, c, k) = (9, 8, 5, 3)
            let (outH, padT) = ConvGeometry.axis(input: h, kernel: k, stride: stride, dilation: dilation, padding: .same)!
            let (outW, padL) = ConvGeometry.axis(input: w, kernel: k, stride: stride, dilation: dilation, padding: .same)!
            let g = ConvGeometry(inH: h, inW: w, inC: c, kh: k, kw: k, sh: stride, sw: stride, dh: dilation, dw: dilation,
                                 padTop: padT, padLeft: padL, outH: outH, outW: outW, outC: c * m, groups: c)
            let x = random([3, h, w, c]), kernel = random([k, k, c, m]), bias = random([c * m])
            let probe = random([3, outH, outW, c * m])
            func run(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [Tensor] {
                let tape = Tape()
                let (tx, tk, tb) = (tape.watch(x), tape.watch(kernel), tape.watch(bias))
                let y = f(tx, tk, tb)
                return [y] + tape.gradients(of: sum(y * probe), for: [tx, tk, tb])
            }
            let direct = run { depthwiseConv2d($0, $1, bias: $2, geometry: g) }
            let grouped = run { conv2d($0, $1, bias: $2, geometry: g) }
            for (a, b) in zip(direct, grouped) {
                XCTAssertEqual(a.shape, b.shape)
                for i in 0..<a.count { XCTAssertEqual(a[flat: i], b[flat: i], accuracy: 1e-4, "m \(m) stride \(stride) dilation \(dilation)") }
            }
        }
    }
}

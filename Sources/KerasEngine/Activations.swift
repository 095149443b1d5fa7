#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras 3's activation functions, each a differentiable op. The formulas follow
/// `keras/src/activations/activations.py`.
public enum Activation: Equatable, Sendable {
    case linear
    /// relu(x) with Keras's optional negative_slope, max_value and threshold.
    case relu(negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0)
    case leakyRelu(negativeSlope: Float = 0.2)
    case relu6
    case elu(alpha: Float = 1)
    case selu
    case gelu(approximate: Bool = false)
    case silu
    case mish
    case softplus
    case softsign
    case tanh
    case sigmoid
    case hardSigmoid
    case hardSilu
    case exponential
    case softmax(axis: Int = -1)
    case logSoftmax(axis: Int = -1)

    /// Keras names (aliases included) to activations.
    public static let byName: [String: Activation] = [
        "linear": .linear, "relu": .relu(), "leaky_relu": .leakyRelu(), "relu6": .relu6, "elu": .elu(),
        "selu": .selu, "gelu": .gelu(), "silu": .silu, "swish": .silu, "mish": .mish,
        "softplus": .softplus, "softsign": .softsign, "tanh": .tanh, "sigmoid": .sigmoid,
        "hard_sigmoid": .hardSigmoid, "hard_silu": .hardSilu, "hard_swish": .hardSilu,
        "exponential": .exponential, "softmax": .softmax(), "log_softmax": .logSoftmax(),
    ]

    public var name: String {
        switch self {
        case .linear: "linear"; case .relu: "relu"; case .leakyRelu: "leaky_relu"; case .relu6: "relu6"
        case .elu: "elu"; case .selu: "selu"; case .gelu: "gelu"; case .silu: "silu"; case .mish: "mish"
        case .softplus: "softplus"; case .softsign: "softsign"; case .tanh: "tanh"; case .sigmoid: "sigmoid"
        case .hardSigmoid: "hard_sigmoid"; case .hardSilu: "hard_silu"; case .exponential: "exponential"
        case .softmax: "softmax"; case .logSoftmax: "log_softmax"
        }
    }

    /// Applies the activation (differentiable).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case let .relu(slope, maxValue, threshold):
            if slope == 0 && maxValue == nil && threshold == 0 { return KerasEngine.relu(x) }
            if maxValue == nil && threshold == 0 { return Activation.leakyRelu(negativeSlope: slope)(x) }
            // Keras's ReLU.static_call: y = clip(threshold != 0 ? (x > t ? x : 0) : relu(x), 0, max)
            // - slope * relu(t - x); max_value 6 without threshold is relu6 (gradient 0 at 6).
            let hi = maxValue ?? .infinity, relu6Path = threshold == 0 && maxValue == 6
            return unaryOp(x, { v in
                var y = threshold != 0 ? (v > threshold ? v : 0) : Swift.max(v, 0)
                if maxValue != nil { y = Swift.min(Swift.max(y, 0), hi) }
                return y - slope * Swift.max(threshold - v, 0)
            }, { v, _ in
                let base: Float = threshold != 0 ? (v > threshold ? 1 : 0) : (v > 0 ? 1 : 0)
                let top: Float = relu6Path ? (v < 6 ? 1 : 0) : (base > 0 && v <= hi ? 1 : 0)
                return base * top + (v < threshold ? slope : 0)
            })
        case let .leakyRelu(s): return unaryOp(x, { $0 > 0 ? $0 : s * $0 }, { v, _ in v > 0 ? 1 : s })
        case .relu6: return unaryOp(x, { Swift.min(Swift.max($0, 0), 6) }, { v, _ in v > 0 && v < 6 ? 1 : 0 })
        case let .elu(a): return unaryOp(x, { $0 > 0 ? $0 : a * (expm1f($0)) }, { v, y in v > 0 ? 1 : y + a })
        case .selu:
            let a: Float = 1.6732632423543772, s: Float = 1.0507009873554805
            return unaryOp(x, { $0 > 0 ? s * $0 : s * a * expm1f($0) }, { v, y in v >= 0 ? s : y + s * a })  // TF: scale at 0
        case let .gelu(approximate):
            if approximate {
                let c: Float = 0.7978845608028654  // sqrt(2/pi)
                return unaryOp(x, { v in 0.5 * v * (1 + tanhf(c * (v + 0.044715 * v * v * v))) }, { v, _ in
                    let u = c * (v + 0.044715 * v * v * v), t = tanhf(u)
                    return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v)
                })
            }
            return unaryOp(x, { v in 0.5 * v * (1 + erff(v * 0.7071067811865476)) }, { v, _ in
                0.5 * (1 + erff(v * 0.7071067811865476)) + v * 0.3989422804014327 * expf(-0.5 * v * v)
            })
        case .silu:
            return unaryOp(x, { v in v / (1 + expf(-v)) }, { v, _ in let s = 1 / (1 + expf(-v)); return s * (1 + v * (1 - s)) })
        case .mish:
            return unaryOp(x, { v in v * tanhf(softplusf(v)) }, { v, _ in
                let t = tanhf(softplusf(v)), s = 1 / (1 + expf(-v))
                return t + v * (1 - t * t) * s
            })
        case .softplus: return unaryOp(x, softplusf, { v, _ in 1 / (1 + expf(-v)) })
        case .softsign: return unaryOp(x, { $0 / (1 + Swift.abs($0)) }, { v, _ in let d = 1 + Swift.abs(v); return 1 / (d * d) })
        case .tanh: return unaryOp(x, { tanhf($0) }, { _, y in 1 - y * y })
        case .sigmoid: return unaryOp(x, sigmoidf, { _, y in y * (1 - y) })
        case .hardSigmoid: return unaryOp(x, hardSigmoidf, { v, _ in v > -3 && v < 3 ? 1.0 / 6 : 0 })
        case .hardSilu:
            return unaryOp(x, { $0 * hardSigmoidf($0) }, { v, _ in
                v <= -3 ? 0 : (v >= 3 ? 1 : (2 * v + 3) / 6)
            })
        case .exponential: return unaryOp(x, { expf($0) }, { _, y in y })
        case let .softmax(axis): return KerasEngine.softmax(x, axis: axis)
        case let .logSoftmax(axis): return KerasEngine.logSoftmax(x, axis: axis)
        }
    }
}

@inline(__always) func sigmoidf(_ v: Float) -> Float { v >= 0 ? 1 / (1 + expf(-v)) : { let e = expf(v); return e / (1 + e) }() }
@inline(__always) func softplusf(_ v: Float) -> Float { v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v)) }
@inline(__always) func hardSigmoidf(_ v: Float) -> Float { Swift.min(Swift.max(v / 6 + 0.5, 0), 1) }

/// max(x, 0), with a mask-based backward.
public func relu(_ x: Tensor) -> Tensor {
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, po = out.freshPointer
    // Eight lanes at a time, large tensors split over the threads (a convolution's
    // activations are millions of values; the branchy scalar loop was 15% of a CNN epoch).
    ParallelBatch.elementwise(x.count) { r in reluForward(px, into: po, r) }
    let y = out
    return Tape.record(out, inputs: [x]) { g in [maskedWherePositive(g, y)] }
}

/// `dy` where `y` is positive, else 0: a ReLU's gradient, masked by its output (eight lanes
/// at a time, split over the threads).
func maskedWherePositive(_ dy: Tensor, _ y: Tensor) -> Tensor {
    var masked = Tensor(uninitializedShape: dy.shape)
    let pm = masked.freshPointer, pdy = dy.pointer, py = y.pointer
    ParallelBatch.elementwise(masked.count) { r in reluBackward(pdy, py, into: pm, r) }
    withExtendedLifetime((dy, y)) {}
    return masked
}

/// Applies `body(offset, stride, n)` to every 1-D lane along `axis`.
@inline(__always)
func forEachLane(_ shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) {
    let ax = axis < 0 ? axis + shape.count : axis
    let outer = shape[..<ax].reduce(1, *), n = shape[ax], inner = shape[(ax + 1)...].reduce(1, *)
    for o in 0..<outer { for i in 0..<inner { body(o * n * inner + i, inner, n) } }
}

/// The largest of the `n` values at `p[off + k·stride]`, subtracted before `exp` so
/// softmax and log-softmax stay finite.
@inline(__always)
func laneMax(_ p: UnsafePointer<Float>, _ off: Int, _ stride: Int, _ n: Int) -> Float {
    var m = -Float.infinity
    for k in 0..<n { m = Swift.max(m, p[off + k * stride]) }
    return m
}

/// Softmax along `axis` (numerically stable).
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, po = out.freshPointer
    forEachLane(x.shape, axis: axis) { off, st, n in
        let m = laneMax(px, off, st, n)
        var s: Float = 0
        for k in 0..<n { let e = expf(px[off + k * st] - m); po[off + k * st] = e; s += e }
        let inv = 1 / s
        for k in 0..<n { po[off + k * st] *= inv }
    }
    let y = out
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: x.shape)
        let pg = g.pointer, py = y.pointer, pd = gx.freshPointer
        forEachLane(x.shape, axis: axis) { off, st, n in
            var dot: Float = 0
            for k in 0..<n { dot += pg[off + k * st] * py[off + k * st] }
            for k in 0..<n { pd[off + k * st] = py[off + k * st] * (pg[off + k * st] - dot) }
        }
        return [gx]
    }
}

/// log(softmax(x)) along `axis`, computed stably.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.pointer, po = out.freshPointer
    forEachLane(x.shape, axis: axis) { off, st, n in
        let m = laneMax(px, off, st, n)
        var s: Float = 0
        for k in 0..<n { s += expf(px[off + k * st] - m) }
        let lse = m + logf(s)
        for k in 0..<n { po[off + k * st] = px[off + k * st] - lse }
    }
    let y = out
    return Tape.record(out, inputs: [x]) { g in
        var gx = Tensor(uninitializedShape: x.shape)
        let pg = g.pointer, py = y.pointer, pd = gx.freshPointer
        forEachLane(x.shape, axis: axis) { off, st, n in
            var gs: Float = 0
            for k in 0..<n { gs += pg[off + k * st] }
            for k in 0..<n { pd[off + k * st] = pg[off + k * st] - expf(py[off + k * st]) * gs }
        }
        return [gx]
    }
}

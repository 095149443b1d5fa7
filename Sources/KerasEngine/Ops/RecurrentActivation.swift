#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// An activation usable inside the fused recurrent kernels: applied in place over a
/// span, with its derivative written as a function of its *output* y = f(x), so the
/// backward through time needs only the stored gate values (no pre-activations).
///
/// Keras's recurrent layers default to tanh (activation) and sigmoid
/// (recurrent_activation); every activation whose derivative is a function of its
/// output is accepted. gelu, silu, mish, softmax and log_softmax are not.
public struct RecurrentActivation: Equatable, Sendable {
    public let activation: Activation

    /// nil when `activation`'s derivative is not a function of its output.
    public init?(_ activation: Activation) {
        switch activation {
        case .linear, .tanh, .sigmoid, .hardSigmoid, .relu6, .elu, .selu, .softsign, .softplus, .exponential:
            break
        case let .relu(slope, _, threshold):
            // y determines the branch only when the negative side cannot overlap the positive one.
            guard slope >= 0, threshold >= 0 else { return nil }
        case let .leakyRelu(slope):
            guard slope > 0 else { return nil }
        case .gelu, .silu, .mish, .hardSilu, .softmax, .logSoftmax:
            return nil
        }
        self.activation = activation
    }

    /// p[0..<n] = f(p[0..<n]).
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        switch activation {
        case .linear: return
        case .tanh: forEach8(n) { j, m in store8(fastTanh(load8(p + j, m)), p + j, m) }
        case .sigmoid: forEach8(n) { j, m in store8(fastSigmoid(load8(p + j, m)), p + j, m) }
        default:
            // The generic path: the element function of `Activation` on a one-element tensor
            // would allocate, so use the scalar formulas here.
            for i in 0..<n { p[i] = scalar(p[i]) }
        }
    }

    /// f over eight values (tanh and sigmoid vectorized, the others lane by lane).
    @inline(__always)
    func apply(_ v: Float8) -> Float8 {
        switch activation {
        case .tanh: return fastTanh(v)
        case .sigmoid: return fastSigmoid(v)
        case .linear: return v
        default:
            var y = v
            for k in 0..<8 { y[k] = scalar(v[k]) }
            return y
        }
    }

    /// f'(x) over eight values, given y = f(x).
    @inline(__always)
    func derivative(_ y: Float8) -> Float8 {
        switch activation {
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        case .linear: return Float8(repeating: 1)
        default:
            var d = y
            for k in 0..<8 { d[k] = derivative(y[k]) }
            return d
        }
    }

    /// d[i] *= f'(x_i), given y[i] = f(x_i).
    @inline(__always)
    func multiplyByDerivative(_ d: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) {
        switch activation {
        case .linear: return
        case .tanh, .sigmoid: forEach8(n) { j, m in store8(load8(d + j, m) * derivative(load8(y + j, m)), d + j, m) }
        default: for i in 0..<n { d[i] *= derivative(y[i]) }
        }
    }

    /// f(x) for one value (the slow, general path).
    func scalar(_ v: Float) -> Float {
        switch activation {
        case .linear: return v
        case .tanh: return tanhf(v)
        case .sigmoid: return sigmoidf(v)
        case .hardSigmoid: return hardSigmoidf(v)
        case .relu6: return Swift.min(Swift.max(v, 0), 6)
        case let .relu(slope, maxValue, threshold):
            let y = v >= threshold ? v : slope * (v - threshold)
            return Swift.min(y, maxValue ?? .infinity)
        case let .leakyRelu(s): return v >= 0 ? v : s * v
        case let .elu(a): return v > 0 ? v : a * expm1f(v)
        case .selu:
            let a: Float = 1.6732632423543772, s: Float = 1.0507009873554805
            return v > 0 ? s * v : s * a * expm1f(v)
        case .softsign: return v / (1 + Swift.abs(v))
        case .softplus: return softplusf(v)
        case .exponential: return expf(v)
        default: preconditionFailure("unsupported recurrent activation \(activation.name)")
        }
    }

    /// df/dx expressed through y = f(x).
    @inline(__always)
    func derivative(_ y: Float) -> Float {
        switch activation {
        case .linear: return 1
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        case .hardSigmoid: return y > 0 && y < 1 ? 1.0 / 6 : 0
        case .relu6: return y > 0 && y < 6 ? 1 : 0
        case let .relu(slope, maxValue, threshold):
            if let m = maxValue, y >= m { return 0 }
            return y > 0 && y >= threshold ? 1 : slope
        case let .leakyRelu(s): return y >= 0 ? 1 : s
        case let .elu(a): return y > 0 ? 1 : y + a
        case .selu:
            let a: Float = 1.6732632423543772, s: Float = 1.0507009873554805
            return y > 0 ? s : y + s * a
        case .softsign: let d = 1 - Swift.abs(y); return d * d
        case .softplus: return -expm1f(-y)
        case .exponential: return y
        default: preconditionFailure("unsupported recurrent activation \(activation.name)")
        }
    }
}

/// A gate function over eight values and its derivative from its output: the fused
/// recurrent loops are generic over it, so Keras's defaults (tanh, sigmoid) get
/// specialized straight-line code and every other activation goes through
/// `RecurrentActivation`'s switch.
protocol GateFunction {
    func callAsFunction(_ v: Float8) -> Float8
    func derivative(_ y: Float8) -> Float8
}

struct TanhGate: GateFunction {
    @inline(__always) func callAsFunction(_ v: Float8) -> Float8 { fastTanh(v) }
    @inline(__always) func derivative(_ y: Float8) -> Float8 { 1 - y * y }
}

struct SigmoidGate: GateFunction {
    @inline(__always) func callAsFunction(_ v: Float8) -> Float8 { fastSigmoid(v) }
    @inline(__always) func derivative(_ y: Float8) -> Float8 { y * (1 - y) }
}

extension RecurrentActivation: GateFunction {
    @inline(__always) func callAsFunction(_ v: Float8) -> Float8 { apply(v) }
}

/// exp(x) for x ≤ 0, eight at a time, to a few ulp: 2^k · p(r) with a degree-6
/// polynomial on r ∈ [-ln2/2, ln2/2]; k is rounded by adding and removing 1.5·2^23.
@inline(__always)
func fastExpNeg(_ x: Float8) -> Float8 {
    let v = x.replacing(with: -87, where: x .< -87)
    let t = v * 1.4426950408889634 + 12_582_912
    let k = t - 12_582_912
    let r = v - k * 0.693145751953125 - k * 1.428606765330187e-06
    var p = Float8(repeating: 1.0 / 720)
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    // t's low mantissa bits hold k (t = 1.5·2^23 + k): move k + 127 into the exponent field.
    let bits = (unsafeBitCast(t, to: UInt8x8.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(bits, to: Float8.self)
}

/// |x| and x's sign bit, eight at a time.
@inline(__always)
func magnitudeAndSign(_ x: Float8) -> (Float8, UInt8x8) {
    let bits = unsafeBitCast(x, to: UInt8x8.self)
    return (unsafeBitCast(bits & 0x7FFF_FFFF, to: Float8.self), bits & 0x8000_0000)
}

/// 1 / (1 + e^-x), eight at a time.
@inline(__always)
func fastSigmoid(_ x: Float8) -> Float8 {
    let (a, _) = magnitudeAndSign(x)
    let s = 1 / (1 + fastExpNeg(-a))
    return s.replacing(with: 1 - s, where: x .< 0)
}

/// tanh(x), eight at a time.
@inline(__always)
func fastTanh(_ x: Float8) -> Float8 {
    let (a, sign) = magnitudeAndSign(x)
    let e = fastExpNeg(-2 * a)
    let t = (1 - e) / (1 + e)
    return unsafeBitCast(unsafeBitCast(t, to: UInt8x8.self) | sign, to: Float8.self)
}

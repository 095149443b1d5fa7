#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras 3's weight initializers (`keras/src/initializers`). Values are drawn from the
/// engine's `RNG`, so they match Keras in distribution, not bit for bit.
public enum Initializer: Equatable, Sendable {
    case zeros, ones
    case constant(Float)
    case randomNormal(mean: Float = 0, stddev: Float = 0.05)
    case randomUniform(minval: Float = -0.05, maxval: Float = 0.05)
    case truncatedNormal(mean: Float = 0, stddev: Float = 0.05)
    /// VarianceScaling(scale, mode, distribution): the family behind glorot/he/lecun.
    case varianceScaling(scale: Float, mode: FanMode, distribution: Distribution)
    case orthogonal(gain: Float = 1)
    case identity(gain: Float = 1)

    public enum FanMode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out", fanAvg = "fan_avg" }
    public enum Distribution: String, Sendable {
        case truncatedNormal = "truncated_normal", untruncatedNormal = "untruncated_normal", uniform
    }

    public static let glorotUniform = Initializer.varianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform)
    public static let glorotNormal = Initializer.varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal)
    public static let heUniform = Initializer.varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform)
    public static let heNormal = Initializer.varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal)
    public static let lecunUniform = Initializer.varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform)
    public static let lecunNormal = Initializer.varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)

    /// Keras's compute_fans: the last two axes are (in, out); leading axes are the receptive field.
    public static func fans(_ shape: [Int]) -> (fanIn: Double, fanOut: Double) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (Double(shape[0]), Double(shape[0]))
        case 2: return (Double(shape[0]), Double(shape[1]))
        default:
            let r = Double(shape.dropLast(2).reduce(1, *))
            return (Double(shape[shape.count - 2]) * r, Double(shape[shape.count - 1]) * r)
        }
    }

    /// A new tensor of `shape` drawn from this initializer.
    public func make(_ shape: [Int], rng: inout RNG) -> Tensor {
        // Sizes are checked (and charged to the memory budget) before memory is touched.
        if let standIn = WeightAllocation.admit(shape) { return standIn }
        var t = Tensor(shape: shape)
        let n = t.count
        let p = t.freshPointer
        switch self {
        case .zeros: break
        case .ones: for i in 0..<n { p[i] = 1 }
        case let .constant(v): for i in 0..<n { p[i] = v }
        case let .randomNormal(mean, sd): for i in 0..<n { p[i] = mean + sd * Float(rng.normal()) }
        case let .randomUniform(lo, hi): for i in 0..<n { p[i] = lo + (hi - lo) * rng.uniformFloat() }
        case let .truncatedNormal(mean, sd): for i in 0..<n { p[i] = mean + sd * Float(Self.truncated(&rng)) }
        case let .varianceScaling(scale, mode, dist):
            let (fi, fo) = Self.fans(shape)
            let fan = mode == .fanIn ? fi : (mode == .fanOut ? fo : (fi + fo) / 2)
            let s = Double(scale) / Swift.max(1, fan)
            switch dist {
            case .uniform:
                let limit = Float((3 * s).squareRoot())
                for i in 0..<n { p[i] = -limit + 2 * limit * rng.uniformFloat() }
            case .truncatedNormal:
                let sd = s.squareRoot() / 0.87962566103423978
                for i in 0..<n { p[i] = Float(sd * Self.truncated(&rng)) }
            case .untruncatedNormal:
                let sd = s.squareRoot()
                for i in 0..<n { p[i] = Float(sd * rng.normal()) }
            }
        case let .orthogonal(gain): Self.fillOrthogonal(p, shape: shape, gain: gain, rng: &rng)
        case let .identity(gain):
            if shape.count == 2 { for i in 0..<Swift.min(shape[0], shape[1]) { p[i * shape[1] + i] = gain } }
        }
        return t
    }

    /// A standard normal truncated to two standard deviations (resampled, as TF/JAX).
    static func truncated(_ rng: inout RNG) -> Double {
        while true { let v = rng.normal(); if Swift.abs(v) <= 2 { return v } }
    }

    /// Keras's Orthogonal: QR of a normal matrix (rows = prod of all but last axis),
    /// with the sign of R's diagonal folded in; transposed when rows < cols.
    static func fillOrthogonal(_ p: UnsafeMutablePointer<Float>, shape: [Int], gain: Float, rng: inout RNG) {
        guard shape.count >= 2 else { return }
        let cols = shape[shape.count - 1], rows = shape.count == 0 ? 1 : shape.dropLast().reduce(1, *)
        let (r, c) = (Swift.max(rows, cols), Swift.min(rows, cols))
        // a is r×c column-major; modified Gram–Schmidt gives Q (r×c) with sign(diag R) folded in.
        var a = (0..<(r * c)).map { _ in rng.normal() }
        for j in 0..<c {
            for k in 0..<j {
                var dot = 0.0
                for i in 0..<r { dot += a[k * r + i] * a[j * r + i] }
                for i in 0..<r { a[j * r + i] -= dot * a[k * r + i] }
            }
            var norm = 0.0
            for i in 0..<r { norm += a[j * r + i] * a[j * r + i] }
            norm = norm.squareRoot()
            for i in 0..<r { a[j * r + i] /= Swift.max(norm, 1e-300) }
        }
        for i in 0..<rows {
            for j in 0..<cols {
                // rows >= cols: element (i, j) = Q[i][j]; else the transpose.
                let v = rows >= cols ? a[j * r + i] : a[i * r + j]
                p[i * cols + j] = gain * Float(v)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Adafactor` (learning_rate 0.001, beta_2_decay −0.8, epsilon_1 1e-30, epsilon_2 1e-3,
/// clip_threshold 1, relative_step true). With a float learning rate and relative_step,
/// lr ← min(lr, 1/√t); ρ = min(lr, 1/√t); α = max(ε₂, rms(w))·ρ; β̂₂ = 1 − t^decay; G = g² + ε₁.
/// Rank ≥ 2: r ← β̂₂r + (1−β̂₂)·mean(G, last axis), c ← β̂₂c + (1−β̂₂)·mean(G, second-last axis),
/// v = (r/mean(r))·c (outer product per matrix); rank < 2: v ← β̂₂v + (1−β̂₂)G.
/// u = g/√v; û = u/max(1, rms(u)/clip_threshold); w ← w − α·û.
public final class Adafactor: ConfiguredRule<Adafactor.Config>, UpdateRule {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var beta2Decay = -0.8
        public var epsilon1 = 1e-30
        public var epsilon2 = 1e-3
        public var clipThreshold = 1.0
        public var relativeStep = true
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("beta_2_decay", .number(\.beta2Decay)), ("epsilon_1", .number(\.epsilon1)),
             ("epsilon_2", .number(\.epsilon2)), ("clip_threshold", .number(\.clipThreshold)),
             ("relative_step", .bool(\.relativeStep))]
        }
    }

    /// Set by `Optimizer`: Keras applies relative_step only to a float learning rate.
    public var learningRateIsSchedule = false

    /// Needs the whole tensor (factored second moments).
    public var isElementwise: Bool { false }
    /// r (row statistics), c (column statistics), velocity.
    public var slotNames: [String] { ["r", "c", "velocity"] }

    public func slotShape(_ slot: Int, for shape: [Int]) -> [Int] {
        guard shape.count >= 2 else { return slot == 2 ? shape : [] }
        switch slot {
        case 0: return Array(shape.dropLast())
        case 1: return Array(shape.dropLast(2)) + [shape[shape.count - 1]]
        default: return shape
        }
    }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        update(value: value, grad: grad, shape: [count], slots: slots, learningRate: lr, step: step)
    }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, shape: [Int],
                       slots: [UnsafeMutablePointer<Float>], learningRate: Float, step: Int) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        let t = Float(step), invSqrtT = 1 / t.squareRoot()
        var lr = learningRate
        if !learningRateIsSchedule && config.relativeStep { lr = Swift.min(lr, invSqrtT) }
        let rho = Swift.min(lr, invSqrtT)
        let alpha = Swift.max(f32(config.epsilon2), Self.rms(UnsafePointer(value), count)) * rho
        let eps1 = f32(config.epsilon1)
        let beta = 1 - powf(t, f32(config.beta2Decay)), k = 1 - beta
        let r = slots[0], c = slots[1], v = slots[2]
        if shape.count >= 2 {
            let cols = shape[shape.count - 1], rows = shape[shape.count - 2], mats = count / (rows * cols)
            for b in 0..<mats {
                let base = b * rows * cols, rb = r + b * rows, cb = c + b * cols
                for i in 0..<rows {
                    var s: Float = 0
                    for j in 0..<cols { let g = grad[base + i * cols + j]; s += g * g + eps1 }
                    rb[i] = beta * rb[i] + k * (s / Float(cols))
                }
                for j in 0..<cols {
                    var s: Float = 0
                    for i in 0..<rows { let g = grad[base + i * cols + j]; s += g * g + eps1 }
                    cb[j] = beta * cb[j] + k * (s / Float(rows))
                }
                var rMean: Float = 0
                for i in 0..<rows { rMean += rb[i] }
                rMean /= Float(rows)
                for i in 0..<rows { for j in 0..<cols { v[base + i * cols + j] = (rb[i] / rMean) * cb[j] } }
            }
        } else {
            for i in 0..<count { let g = grad[i]; v[i] = beta * v[i] + k * (g * g + eps1) }
        }
        var uSq: Float = 0
        for i in 0..<count { let u = grad[i] / v[i].squareRoot(); uSq += u * u }
        let scale = Swift.max(1, (uSq / Float(count)).squareRoot() / f32(config.clipThreshold))
        for i in 0..<count { value[i] -= alpha * ((grad[i] / v[i].squareRoot()) / scale) }
    }

    static func rms(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s: Float = 0
        for i in 0..<n { s += x[i] * x[i] }
        return (s / Float(n)).squareRoot()
    }
}

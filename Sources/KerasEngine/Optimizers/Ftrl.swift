#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Keras `Ftrl` (learning_rate 0.001, learning_rate_power −0.5, initial_accumulator_value 0.1,
/// l1/l2/l2_shrinkage regularization strengths 0, beta 0). With p = −learning_rate_power:
/// ĝ = g + 2·λ₂ₛ·w; n' = n + g²; z ← z + ĝ − (n'ᵖ − nᵖ)/lr·w;
/// w ← (clip(z, −λ₁, λ₁) − z)/(n'ᵖ/lr + 2(λ₂ + β/(2lr))); n ← n'.
public final class Ftrl: UpdateRule, HasKerasConfig {
    public struct Config: KerasArgumentConfig, Equatable, Sendable {
        public var learningRatePower = -0.5
        public var initialAccumulatorValue = 0.1
        public var l1RegularizationStrength = 0.0
        public var l2RegularizationStrength = 0.0
        public var l2ShrinkageRegularizationStrength = 0.0
        public var beta = 0.0
        public init() {}
        public static var fields: [(name: String, field: KerasField<Config>)] {
            [("learning_rate_power", .number(\.learningRatePower)),
             ("initial_accumulator_value", .number(\.initialAccumulatorValue)),
             ("l1_regularization_strength", .number(\.l1RegularizationStrength)),
             ("l2_regularization_strength", .number(\.l2RegularizationStrength)),
             ("l2_shrinkage_regularization_strength", .number(\.l2ShrinkageRegularizationStrength)),
             ("beta", .number(\.beta))]
        }
    }

    public let config: Config
    /// Throws on Keras's invalid values (negative strengths or accumulator, positive power).
    public init(_ config: Config = Config()) throws {
        func bad(_ arg: String, _ v: Double, _ expected: String) -> OptimizerError {
            .invalidArgument(owner: "Ftrl", argument: arg, value: "\(v)", expected: expected)
        }
        if config.initialAccumulatorValue < 0 { throw bad("initial_accumulator_value", config.initialAccumulatorValue, "a value >= 0") }
        if config.learningRatePower > 0 { throw bad("learning_rate_power", config.learningRatePower, "a value <= 0") }
        if config.l1RegularizationStrength < 0 { throw bad("l1_regularization_strength", config.l1RegularizationStrength, "a value >= 0") }
        if config.l2RegularizationStrength < 0 { throw bad("l2_regularization_strength", config.l2RegularizationStrength, "a value >= 0") }
        if config.l2ShrinkageRegularizationStrength < 0 {
            throw bad("l2_shrinkage_regularization_strength", config.l2ShrinkageRegularizationStrength, "a value >= 0")
        }
        self.config = config
    }
    public var slotNames: [String] { ["accumulator", "linear"] }
    public func initialSlotValue(_ slot: Int) -> Float { slot == 0 ? f32(config.initialAccumulatorValue) : 0 }

    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        let n = slots[0], z = slots[1]
        let p = f32(-config.learningRatePower)
        let l2 = f32(config.l2RegularizationStrength) + f32(config.beta) / (2 * lr)
        let shrink = f32(2 * config.l2ShrinkageRegularizationStrength), l1 = f32(config.l1RegularizationStrength)
        for i in 0..<count {
            let g = grad[i], w = value[i]
            let gHat = g + shrink * w
            let nNew = n[i] + g * g
            let nNewP = powf(nNew, p)
            z[i] += gHat - ((nNewP - powf(n[i], p)) / lr) * w
            let quadratic = nNewP / lr + 2 * l2
            let clipped = Swift.min(Swift.max(z[i], -l1), l1)
            value[i] = (clipped - z[i]) / quadratic
            n[i] = nNew
        }
    }
}

import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's activation layers with Keras 3's arguments and defaults: `ReLU`
    /// (max_value, negative_slope, threshold), `LeakyReLU` (negative_slope 0.3; Keras 2's
    /// `alpha` is read too), `PReLU` (alpha_initializer, alpha_regularizer,
    /// alpha_constraint, shared_axes), `ELU` (alpha 1) and Keras 2's `ThresholdedReLU`
    /// (theta 1; not in Keras 3, read for legacy files and exported as
    /// `ReLU(threshold=theta)`). `Softmax` is with the core layers.
    static let activation: [Registry<any Layer>.Entry] = [
        .init(["ReLU"], main: "max_value", { o in
            let r = try o.reader()
            let d = ReLU.Config()
            let maxValue = try r.doubleInRange("max_value", 0, .infinity)   // null: none
            let slope = try r.doubleInRange("negative_slope", 0, .infinity, default: Double(d.negativeSlope))
            let threshold = try r.doubleInRange("threshold", 0, .infinity, default: Double(d.threshold))
            try r.finish()
            return ReLU(ReLU.Config(maxValue: maxValue.map(Float.init), negativeSlope: Float(slope), threshold: Float(threshold)))
        }),
        .init(["LeakyReLU"], main: "negative_slope", { o in
            let r = try o.reader()
            if r.has("negative_slope") && r.has("alpha") {
                throw r.error("give negative_slope or Keras 2's alpha, not both", key: "alpha")
            }
            let key = r.has("alpha") ? "alpha" : "negative_slope"
            let slope = try r.doubleInRange(key, 0, .infinity, default: Double(LeakyReLU.Config().negativeSlope))
            try r.finish()
            return LeakyReLU(LeakyReLU.Config(negativeSlope: Float(slope)))
        }),
        .init(["PReLU"], { o in
            let r = try o.reader()
            var c = PReLU.Config()
            c.alphaInitializer = try InitializerRegistry.read(r, "alpha_initializer", default: c.alphaInitializer)
            c.alphaRegularizer = try RegularizerRegistry.read(r, "alpha_regularizer")
            c.alphaConstraint = try ConstraintRegistry.read(r, "alpha_constraint")
            c.sharedAxes = try r.value("shared_axes", .intOrList) ?? []
            try r.finish()
            guard c.sharedAxes.allSatisfy({ $0 >= 1 }) else {
                throw r.error("shared_axes must name non-batch axes (1 or more; the batch is axis 0), got \(c.sharedAxes)", key: "shared_axes")
            }
            return PReLU(c)
        }),
        .init(["ELU"], main: "alpha", { o in
            let r = try o.reader()
            let alpha = try r.double("alpha", default: Double(ELU.Config().alpha))
            try r.finish()
            guard alpha.isFinite else { throw r.error("alpha must be a finite number, got \(alpha)", key: "alpha") }
            return ELU(ELU.Config(alpha: Float(alpha)))
        }),
        .init(["ThresholdedReLU"], main: "theta", { o in
            let r = try o.reader()
            let theta = try r.doubleInRange("theta", 0, .infinity, default: Double(ThresholdedReLU.Config().theta))
            try r.finish()
            return ThresholdedReLU(ThresholdedReLU.Config(theta: Float(theta)))
        }),
    ]
}

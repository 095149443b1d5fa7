import KerasEngine
import KerasSpec

/// Keras loss class names and function aliases, with Keras's arguments and defaults.
public enum LossRegistry {
    nonisolated(unsafe) public static var table = Registry<any Loss>(kind: "loss", [
        (["MeanSquaredError", "mean_squared_error", "mse", "MSE"], plain { MeanSquaredError() }),
        (["MeanAbsoluteError", "mean_absolute_error", "mae", "MAE"], plain { MeanAbsoluteError() }),
        (["MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE"], plain { MeanAbsolutePercentageError() }),
        (["MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE"], plain { MeanSquaredLogarithmicError() }),
        (["Poisson", "poisson"], plain { Poisson() }),
        (["KLDivergence", "kl_divergence", "kld", "KLD"], plain { KLDivergence() }),
        (["Hinge", "hinge"], plain { Hinge() }),
        (["SquaredHinge", "squared_hinge"], plain { SquaredHinge() }),
        (["CategoricalHinge", "categorical_hinge"], plain { CategoricalHinge() }),
        (["LogCosh", "log_cosh", "logcosh"], plain { LogCosh() }),
        (["Huber", "huber"], { o in
            let r = try o.reader(mainArgument: "delta")
            let d = try r.double("delta", default: 1); try r.finish()
            return Huber(delta: Float(d))
        }),
        (["CosineSimilarity", "cosine_similarity"], { o in
            let r = try o.reader(mainArgument: "axis")
            let a = try r.int("axis", default: -1); try r.finish()
            return CosineSimilarity(axis: a)
        }),
        (["BinaryCrossentropy", "binary_crossentropy", "bce", "BCE"], { o in
            let (logits, smoothing, axis) = try crossentropyArgs(o)
            return BinaryCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: axis)
        }),
        (["CategoricalCrossentropy", "categorical_crossentropy"], { o in
            let (logits, smoothing, axis) = try crossentropyArgs(o)
            return CategoricalCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: axis)
        }),
        (["SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"], { o in
            let r = try o.reader()
            let logits = try r.bool("from_logits", default: false)
            let ignore = try r.int("ignore_class")
            let axis = try r.int("axis", default: -1)
            try r.finish()
            return SparseCategoricalCrossentropy(fromLogits: logits, ignoreClass: ignore, axis: axis)
        }),
    ])

    static func plain(_ make: @escaping () -> any Loss) -> Registry<any Loss>.Maker {
        { o in let r = try o.reader(); try r.finish(); return make() }
    }

    static func crossentropyArgs(_ o: ObjectSpec) throws -> (Bool, Float, Int) {
        let r = try o.reader()
        let logits = try r.bool("from_logits", default: false)
        let smoothing = try r.doubleInRange("label_smoothing", 0, 1, default: 0)
        let axis = try r.int("axis", default: -1)
        try r.finish()
        return (logits, Float(smoothing), axis)
    }
}

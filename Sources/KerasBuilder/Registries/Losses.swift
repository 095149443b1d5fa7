import KerasEngine
import KerasSpec

/// Keras loss class names and function aliases, with Keras's arguments and defaults.
public enum LossRegistry {
    public static let table = Registry<any Loss>(kind: "loss", [
        .init(["MeanSquaredError", "mean_squared_error", "mse", "MSE"], plain(MeanSquaredError())),
        .init(["MeanAbsoluteError", "mean_absolute_error", "mae", "MAE"], plain(MeanAbsoluteError())),
        .init(["MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE"], plain(MeanAbsolutePercentageError())),
        .init(["MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE"], plain(MeanSquaredLogarithmicError())),
        .init(["Poisson", "poisson"], plain(Poisson())),
        .init(["KLDivergence", "kl_divergence", "kld", "KLD"], plain(KLDivergence())),
        .init(["Hinge", "hinge"], plain(Hinge())),
        .init(["SquaredHinge", "squared_hinge"], plain(SquaredHinge())),
        .init(["CategoricalHinge", "categorical_hinge"], plain(CategoricalHinge())),
        .init(["LogCosh", "log_cosh", "logcosh"], plain(LogCosh())),
        .init(["Huber", "huber"], main: "delta", { o in
            let r = try o.reader()
            let d = try r.double("delta", default: 1); try r.finish()
            return Huber(delta: Float(d))
        }),
        .init(["CosineSimilarity", "cosine_similarity"], main: "axis", { o in
            let r = try o.reader()
            let a = try r.int("axis", default: -1); try r.finish()
            return CosineSimilarity(axis: a)
        }),
        .init(["BinaryCrossentropy", "binary_crossentropy", "bce", "BCE"], { o in
            let (logits, smoothing, axis) = try crossentropyArgs(o)
            return BinaryCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: axis)
        }),
        .init(["CategoricalCrossentropy", "categorical_crossentropy"], { o in
            let (logits, smoothing, axis) = try crossentropyArgs(o)
            return CategoricalCrossentropy(fromLogits: logits, labelSmoothing: smoothing, axis: axis)
        }),
        .init(["SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"], { o in
            let r = try o.reader()
            let logits = try r.bool("from_logits", default: false)
            let ignore = try r.int("ignore_class")
            let axis = try r.int("axis", default: -1)
            try r.finish()
            return SparseCategoricalCrossentropy(fromLogits: logits, ignoreClass: ignore, axis: axis)
        }),
    ])

    static func crossentropyArgs(_ o: ObjectSpec) throws -> (Bool, Float, Int) {
        let r = try o.reader()
        let logits = try r.bool("from_logits", default: false)
        let smoothing = try r.doubleInRange("label_smoothing", 0, 1, default: 0)
        let axis = try r.int("axis", default: -1)
        try r.finish()
        return (logits, Float(smoothing), axis)
    }
}

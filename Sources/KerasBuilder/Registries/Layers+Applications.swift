import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// The layers `keras.applications` models register for themselves, under the class
    /// names their saved files carry: ConvNeXt's `LayerScale` (init_values,
    /// projection_dim) and `StochasticDepth` (drop_path_rate), InceptionResNetV2's
    /// `CustomScaleLayer` (scale; called on [x, residual]).
    static let applications: [Registry<any Layer>.Entry] = [
        .init(["LayerScale"], { o in
            let r = try o.reader()
            let initValues = try r.required("init_values", .double)
            let dim = try r.required("projection_dim", .positiveInt)
            try r.finish()
            guard initValues.isFinite else { throw r.error("init_values must be a finite number, got \(initValues)", key: "init_values") }
            return LayerScale(LayerScale.Config(initValues: Float(initValues), projectionDim: dim))
        }),
        .init(["StochasticDepth"], main: "drop_path_rate", { o in
            let r = try o.reader()
            let rate = try r.doubleInRange("drop_path_rate", 0, 1, upperInclusive: false)
            try r.finish()
            guard let rate else { throw r.missing("drop_path_rate") }
            return StochasticDepth(dropPathRate: Float(rate))
        }),
        .init(["CustomScaleLayer"], main: "scale", { o in
            let r = try o.reader()
            let scale = try r.required("scale", .double)
            try r.finish()
            guard scale.isFinite else { throw r.error("scale must be a finite number, got \(scale)", key: "scale") }
            return CustomScaleLayer(scale: Float(scale))
        }),
    ]
}

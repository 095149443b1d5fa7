import KerasEngine
import KerasSpec

/// Keras 3 initializer class names and aliases with their arguments and defaults
/// (Keras's short aliases too: `uniform`, `normal`, `one`, `zero`).
public enum InitializerRegistry {
    public static let table = Registry<Initializer>(kind: "initializer", [
        .init(["Zeros", "zeros", "zero"], plain(.zeros)),
        .init(["Ones", "ones", "one"], plain(.ones)),
        .init(["Constant", "constant"], main: "value", { o in
            let r = try o.reader()
            let v = try r.double("value", default: 0); try r.finish()
            return .constant(Float(v))
        }),
        .init(["RandomNormal", "random_normal", "normal"], { o in
            let r = try o.reader()
            let m = try r.double("mean", default: 0), s = try r.double("stddev", default: 0.05); try r.finish()
            return .randomNormal(mean: Float(m), stddev: Float(s))
        }),
        .init(["RandomUniform", "random_uniform", "uniform"], { o in
            let r = try o.reader()
            let lo = try r.double("minval", default: -0.05), hi = try r.double("maxval", default: 0.05); try r.finish()
            return .randomUniform(minval: Float(lo), maxval: Float(hi))
        }),
        .init(["TruncatedNormal", "truncated_normal"], { o in
            let r = try o.reader()
            let m = try r.double("mean", default: 0), s = try r.double("stddev", default: 0.05); try r.finish()
            return .truncatedNormal(mean: Float(m), stddev: Float(s))
        }),
        .init(["GlorotUniform", "glorot_uniform"], plain(.glorotUniform)),
        .init(["GlorotNormal", "glorot_normal"], plain(.glorotNormal)),
        .init(["HeUniform", "he_uniform"], plain(.heUniform)),
        .init(["HeNormal", "he_normal"], plain(.heNormal)),
        .init(["LecunUniform", "lecun_uniform"], plain(.lecunUniform)),
        .init(["LecunNormal", "lecun_normal"], plain(.lecunNormal)),
        .init(["VarianceScaling", "variance_scaling"], { o in
            let r = try o.reader()
            let scale = try r.double("scale", default: 1)
            let mode = try r.oneOf("mode", ["fan_in", "fan_out", "fan_avg"], default: "fan_in")
            let dist = try r.oneOf("distribution", ["truncated_normal", "untruncated_normal", "uniform"], default: "truncated_normal")
            try r.finish()
            guard scale > 0 else { throw r.error("scale must be positive, got \(scale)", key: "scale") }
            return .varianceScaling(scale: Float(scale), mode: Initializer.FanMode(rawValue: mode) ?? .fanIn,
                                    distribution: Initializer.Distribution(rawValue: dist) ?? .truncatedNormal)
        }),
        .init(["Orthogonal", "orthogonal", "OrthogonalInitializer"], main: "gain", { o in
            let r = try o.reader()
            let g = try r.double("gain", default: 1); try r.finish()
            return .orthogonal(gain: Float(g))
        }),
        .init(["Identity", "identity", "IdentityInitializer"], main: "gain", { o in
            let r = try o.reader()
            let g = try r.double("gain", default: 1); try r.finish()
            return .identity(gain: Float(g))
        }),
    ])

    /// Reads `key` of `reader` as an initializer, or `value` when absent.
    static func read(_ reader: ArgReader, _ key: String, default value: Initializer) throws -> Initializer {
        guard let o = try reader.object(key) else { return value }
        return try table.make(o)
    }
}

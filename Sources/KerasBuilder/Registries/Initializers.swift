import KerasEngine
import KerasSpec

/// Keras 3 initializer class names and aliases with their arguments and defaults
/// (Keras's short aliases too: `uniform`, `normal`, `one`, `zero`).
public enum InitializerRegistry {
    nonisolated(unsafe) public static var table = Registry<Initializer>(kind: "initializer", [
        (["Zeros", "zeros", "zero"], plain(.zeros)),
        (["Ones", "ones", "one"], plain(.ones)),
        (["Constant", "constant"], { o in
            let r = try o.reader(mainArgument: "value")
            let v = try r.double("value", default: 0); try r.finish()
            return .constant(Float(v))
        }),
        (["RandomNormal", "random_normal", "normal"], { o in
            let r = try o.reader()
            let m = try r.double("mean", default: 0), s = try r.double("stddev", default: 0.05); try r.finish()
            return .randomNormal(mean: Float(m), stddev: Float(s))
        }),
        (["RandomUniform", "random_uniform", "uniform"], { o in
            let r = try o.reader()
            let lo = try r.double("minval", default: -0.05), hi = try r.double("maxval", default: 0.05); try r.finish()
            return .randomUniform(minval: Float(lo), maxval: Float(hi))
        }),
        (["TruncatedNormal", "truncated_normal"], { o in
            let r = try o.reader()
            let m = try r.double("mean", default: 0), s = try r.double("stddev", default: 0.05); try r.finish()
            return .truncatedNormal(mean: Float(m), stddev: Float(s))
        }),
        (["GlorotUniform", "glorot_uniform"], plain(.glorotUniform)),
        (["GlorotNormal", "glorot_normal"], plain(.glorotNormal)),
        (["HeUniform", "he_uniform"], plain(.heUniform)),
        (["HeNormal", "he_normal"], plain(.heNormal)),
        (["LecunUniform", "lecun_uniform"], plain(.lecunUniform)),
        (["LecunNormal", "lecun_normal"], plain(.lecunNormal)),
        (["VarianceScaling", "variance_scaling"], { o in
            let r = try o.reader()
            let scale = try r.double("scale", default: 1)
            let mode = try r.oneOf("mode", ["fan_in", "fan_out", "fan_avg"], default: "fan_in")
            let dist = try r.oneOf("distribution", ["truncated_normal", "untruncated_normal", "uniform"], default: "truncated_normal")
            try r.finish()
            guard scale > 0 else { throw r.error("scale must be positive, got \(scale)", key: "scale") }
            return .varianceScaling(scale: Float(scale), mode: Initializer.FanMode(rawValue: mode) ?? .fanIn,
                                    distribution: Initializer.Distribution(rawValue: dist) ?? .truncatedNormal)
        }),
        (["Orthogonal", "orthogonal", "OrthogonalInitializer"], { o in
            let r = try o.reader(mainArgument: "gain")
            let g = try r.double("gain", default: 1); try r.finish()
            return .orthogonal(gain: Float(g))
        }),
        (["Identity", "identity", "IdentityInitializer"], { o in
            let r = try o.reader(mainArgument: "gain")
            let g = try r.double("gain", default: 1); try r.finish()
            return .identity(gain: Float(g))
        }),
    ])

    static func plain(_ i: Initializer) -> Registry<Initializer>.Maker {
        { o in let r = try o.reader(); try r.finish(); return i }
    }

    /// Reads `key` of `reader` as an initializer, or `value` when absent.
    static func read(_ reader: ArgReader, _ key: String, default value: Initializer) throws -> Initializer {
        guard let o = try reader.object(key) else { return value }
        return try table.make(o)
    }
}

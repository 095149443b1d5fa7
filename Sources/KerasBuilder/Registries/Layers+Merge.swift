import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's merge layers (functional models).
    static let merge: [Registry<any Layer>.Entry] = [
        .init(["Add"], plain(Add())),
        .init(["Subtract"], plain(Subtract())),
        .init(["Multiply"], plain(Multiply())),
        .init(["Average"], plain(Average())),
        .init(["Maximum"], plain(Maximum())),
        .init(["Minimum"], plain(Minimum())),
        .init(["Concatenate"], main: "axis", { o in
            let r = try o.reader()
            let axis = try r.int("axis", default: -1); try r.finish()
            return Concatenate(axis: axis)
        }),
        .init(["Dot"], main: "axes", { o in
            let r = try o.reader()
            guard let axes = try r.intList("axes") else { throw r.missing("axes") }
            let normalize = try r.bool("normalize", default: false)
            try r.finish()
            guard axes.count == 1 || axes.count == 2 else { throw r.error("axes must be one integer or a pair, got \(axes)", key: "axes") }
            return Dot(Dot.Config(axes: axes, normalize: normalize))
        }),
    ]

}

import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's merge layers (functional models).
    nonisolated(unsafe) static let merge: [([String], Registry<any Layer>.Maker)] = [
        (["Add"], { o in try noArgs(o); return Add() }),
        (["Subtract"], { o in try noArgs(o); return Subtract() }),
        (["Multiply"], { o in try noArgs(o); return Multiply() }),
        (["Average"], { o in try noArgs(o); return Average() }),
        (["Maximum"], { o in try noArgs(o); return Maximum() }),
        (["Minimum"], { o in try noArgs(o); return Minimum() }),
        (["Concatenate"], { o in
            let r = try o.reader(mainArgument: "axis")
            let axis = try r.int("axis", default: -1); try r.finish()
            return Concatenate(axis: axis)
        }),
        (["Dot"], { o in
            let r = try o.reader(mainArgument: "axes")
            guard let axes = try r.intList("axes") else { throw r.missing("axes") }
            let normalize = try r.bool("normalize", default: false)
            try r.finish()
            guard axes.count == 1 || axes.count == 2 else { throw r.error("axes must be one integer or a pair, got \(axes)", key: "axes") }
            return Dot(Dot.Config(axes: axes, normalize: normalize))
        }),
    ]

    static func noArgs(_ o: ObjectSpec) throws { let r = try o.reader(); try r.finish() }
}

import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's numeric preprocessing layers as ordinary model layers: `Rescaling`
    /// (scale, offset 0; each a number or one per channel) and `Normalization` (axis −1,
    /// an integer, a list, or null for one global statistic; mean and variance given
    /// together, or else weights a Keras file fills; invert false).
    static let preprocessing: [Registry<any Layer>.Entry] = [
        .init(["Rescaling"], main: "scale", { o in
            let r = try o.reader()
            guard let scale = try r.value("scale", .numberOrList) else { throw r.missing("scale") }
            let offset = try r.value("offset", .numberOrList) ?? [0]
            try r.finish()
            return Rescaling(Rescaling.Config(scale: scale.map(Float.init), offset: offset.map(Float.init)))
        }),
        .init(["Normalization"], main: "axis", { o in
            let r = try o.reader()
            var c = Normalization.Config()
            // Keras's axis=None (no kept axis) is `null` here too, unlike other layers' null.
            c.axis = r.node("axis")?.isNull == true ? [] : try r.value("axis", .intOrList) ?? c.axis
            c.mean = try r.value("mean", .numberOrList)?.map(Float.init)
            c.variance = try r.value("variance", .numberOrList)?.map(Float.init)
            c.invert = try r.bool("invert", default: c.invert)
            try r.finish()
            if (c.mean == nil) != (c.variance == nil) {
                throw r.error("give both mean and variance, or neither (then they are weights)", key: c.mean == nil ? "variance" : "mean")
            }
            if let v = c.variance, v.contains(where: { $0 < 0 }) {
                throw r.error("variance must not be negative, got \(v)", key: "variance")
            }
            return Normalization(c)
        }),
    ]
}

extension ArgType where T == [Double] {
    /// A finite number or a list of them (`scale: 0.5` or `scale: [0.2, 0.3, 0.4]`).
    static var numberOrList: ArgType<[Double]> {
        let list = ArgType<[Double]>.doubleList
        return ArgType(expected: "a finite number or a list of finite numbers") { node throws(ArgMismatch) in
            if node.scalar != nil {
                let v = try ArgType<Double>.double.convert(node)
                guard v.isFinite else { throw ArgMismatch(node: node) }
                return [v]
            }
            return try list.convert(node)
        }
    }
}

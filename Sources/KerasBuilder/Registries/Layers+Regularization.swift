import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's regularization layers beside Dropout: SpatialDropout1D/2D (`rate`),
    /// GaussianNoise (`stddev`), GaussianDropout (`rate`) and ActivityRegularization
    /// (`l1`, `l2`, both 0 by default).
    static let regularization: [Registry<any Layer>.Entry] = [
        .init(["SpatialDropout1D"], main: "rate", { o in try spatialDropout(o, rank: 1) }),
        .init(["SpatialDropout2D"], main: "rate", { o in try spatialDropout(o, rank: 2) }),
        .init(["GaussianNoise"], main: "stddev", { o in
            let r = try o.reader()
            guard let s = try r.doubleInRange("stddev", 0, .infinity) else { throw r.missing("stddev") }
            try r.finish()
            return GaussianNoise(stddev: Float(s))
        }),
        .init(["GaussianDropout"], main: "rate", { o in
            let r = try o.reader()
            guard let rate = try r.doubleInRange("rate", 0, 1, upperInclusive: false) else { throw r.missing("rate") }
            try r.finish()
            return GaussianDropout(rate: Float(rate))
        }),
        .init(["ActivityRegularization"], main: "rate", { o in
            let r = try o.reader()
            let l1 = try r.doubleInRange("l1", 0, .infinity, default: 0)
            let l2 = try r.doubleInRange("l2", 0, .infinity, default: 0)
            try r.finish()
            return ActivityRegularization(l1: Float(l1), l2: Float(l2))
        }),
    ]

    /// `SpatialDropout1D` / `SpatialDropout2D`: drops whole channels with probability `rate`.
    static func spatialDropout(_ o: ObjectSpec, rank: Int) throws -> any Layer {
        let r = try o.reader()
        guard let rate = try r.doubleInRange("rate", 0, 1, upperInclusive: false) else { throw r.missing("rate") }
        if rank == 2 { try channelsLast(r) }
        try r.finish()
        return SpatialDropout(rank: rank, rate: Float(rate))
    }
}

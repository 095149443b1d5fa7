import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's pooling layers, channels last. `pool_size` is the main argument
    /// (`MaxPooling2D: 2`); `strides` defaults to `pool_size` (Keras's None). As in
    /// Keras 3, MaxPooling defaults pool_size to 2 (per axis) and AveragePooling requires it.
    static let pooling: [Registry<any Layer>.Entry] = [
        .init(["MaxPooling1D", "MaxPool1D"], main: "pool_size", { o in try pool(o, .max, rank: 1) }),
        .init(["MaxPooling2D", "MaxPool2D"], main: "pool_size", { o in try pool(o, .max, rank: 2) }),
        .init(["AveragePooling1D", "AvgPool1D"], main: "pool_size", { o in try pool(o, .average, rank: 1) }),
        .init(["AveragePooling2D", "AvgPool2D"], main: "pool_size", { o in try pool(o, .average, rank: 2) }),
        .init(["GlobalMaxPooling1D", "GlobalMaxPool1D"], { o in try globalPool(o, .max, rank: 1) }),
        .init(["GlobalMaxPooling2D", "GlobalMaxPool2D"], { o in try globalPool(o, .max, rank: 2) }),
        .init(["GlobalAveragePooling1D", "GlobalAvgPool1D"], { o in try globalPool(o, .average, rank: 1) }),
        .init(["GlobalAveragePooling2D", "GlobalAvgPool2D"], main: "pool_size", { o in try globalPool(o, .average, rank: 2) }),
    ]

    /// `MaxPooling1D/2D`, `AveragePooling1D/2D`.
    static func pool(_ o: ObjectSpec, _ kind: Pooling.Kind, rank: Int) throws -> any Layer {
        let r = try o.reader()
        let size: [Int]
        if kind == .max {
            size = try r.intOrTuple("pool_size", count: rank, default: [Int](repeating: 2, count: rank))
        } else {
            guard let s = try r.intOrTuple("pool_size", count: rank) else { throw r.missing("pool_size") }
            size = s
        }
        let strides = try r.intOrTuple("strides", count: rank)
        let pad = try padding(r, allowCausal: false)
        try channelsLast(r)
        try r.finish()
        return Pooling(Pooling.Config(kind: kind, rank: rank, poolSize: size, strides: strides, padding: pad))
    }

    /// `GlobalMaxPooling1D/2D`, `GlobalAveragePooling1D/2D`.
    static func globalPool(_ o: ObjectSpec, _ kind: Pooling.Kind, rank: Int) throws -> any Layer {
        let r = try o.reader()
        try channelsLast(r)
        let keep = try r.bool("keepdims", default: false)
        try r.finish()
        return GlobalPooling(GlobalPooling.Config(kind: kind, rank: rank, keepdims: keep))
    }
}

import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's spatial reshaping layers (channels last): ZeroPadding and Cropping (1-D,
    /// 2-D, 3-D), UpSampling (1-D and 2-D), Permute and RepeatVector.
    static let reshaping: [Registry<any Layer>.Entry] = [
        .init(["ZeroPadding1D"], main: "padding", { o in try padOrCrop(o, rank: 1, crop: false) }),
        .init(["ZeroPadding2D"], main: "padding", { o in try padOrCrop(o, rank: 2, crop: false) }),
        .init(["Cropping1D"], main: "cropping", { o in try padOrCrop(o, rank: 1, crop: true) }),
        .init(["Cropping2D"], main: "cropping", { o in try padOrCrop(o, rank: 2, crop: true) }),
        .init(["ZeroPadding3D"], main: "padding", { o in try padOrCrop(o, rank: 3, crop: false) }),
        .init(["Cropping3D"], main: "cropping", { o in try padOrCrop(o, rank: 3, crop: true) }),
        .init(["UpSampling1D"], main: "size", { o in
            let r = try o.reader()
            let size = try r.positiveInt("size", default: 2)
            try r.finish()
            return UpSampling(UpSampling.Config(rank: 1, size: [size]))
        }),
        .init(["UpSampling2D"], main: "size", { o in
            let r = try o.reader()
            let size = try r.intOrTuple("size", count: 2, default: [2, 2])
            try channelsLast(r)
            let interpolation = try r.oneOf("interpolation", ["bicubic", "bilinear", "lanczos3", "lanczos5", "nearest"], default: "nearest")
            guard interpolation == "nearest" else {
                throw r.error("interpolation '\(interpolation)' is not supported; UpSampling2D supports 'nearest'", key: "interpolation")
            }
            try r.finish()
            return UpSampling(UpSampling.Config(rank: 2, size: size))
        }),
        .init(["Permute"], main: "dims", { o in
            let r = try o.reader()
            guard let dims = try r.intList("dims") else { throw r.missing("dims") }
            try r.finish()
            guard !dims.isEmpty, dims.sorted() == Array(1...dims.count) else {
                throw r.error("dims must be a permutation of 1...\(Swift.max(dims.count, 1)) (axis 0 is the batch), got \(dims)", key: "dims")
            }
            return Permute(dims: dims)
        }),
        .init(["RepeatVector"], main: "n", { o in
            let r = try o.reader()
            let n = try r.required("n", .positiveInt)
            try r.finish()
            return RepeatVector(n: n)
        }),
    ]

    /// `ZeroPadding1D/2D/3D` (`padding`, default 1) and `Cropping1D/2D/3D` (`cropping`,
    /// default (1, 1) in 1-D and 3-D, none in 2-D), each an integer, a tuple, or (2-D, 3-D)
    /// a tuple of (before, after) pairs.
    static func padOrCrop(_ o: ObjectSpec, rank: Int, crop: Bool) throws -> any Layer {
        let key = crop ? "cropping" : "padding"
        let r = try o.reader()
        let fallback = crop && rank == 2 ? [(0, 0), (0, 0)] : [(Int, Int)](repeating: (1, 1), count: rank)
        let amounts = try r.value(key, .paddingPairs(rank: rank)) ?? fallback
        if !(crop && rank == 1) { try channelsLast(r) }
        try r.finish()
        return SpatialPadding(SpatialPadding.Config(rank: rank, crop: crop, amounts: amounts.map { (before: $0.0, after: $0.1) }))
    }
}

extension ArgType where T == [(Int, Int)] {
    /// Keras's padding/cropping amounts as (before, after) per spatial axis. Rank 1: `n`
    /// or `[before, after]`. Rank 2: `n` (every side), `[h, w]` (symmetric per axis) or
    /// `[[top, bottom], [left, right]]`. Rank 3: `n`, `[d, h, w]` or three pairs.
    static func paddingPairs(rank: Int) -> ArgType<[(Int, Int)]> {
        let count = ArgType<Int>.nonNegativeInt
        let pair = ArgType<[Int]>.intOrTuple(count: 2, positive: false)
        let perAxis = ArgType<[Int]>.intOrTuple(count: rank, positive: false)
        let expected = rank == 1 ? "a non-negative integer or a list of 2 (before, after)"
            : rank == 2 ? "a non-negative integer, a list of 2 (height, width) or a list of 2 pairs [[top, bottom], [left, right]]"
            : "a non-negative integer, a list of 3 (depth, height, width) or a list of 3 (before, after) pairs"
        return ArgType(expected: expected) { node throws(ArgMismatch) in
            if node.scalar != nil {
                let n = try count.convert(node)
                return [(Int, Int)](repeating: (n, n), count: rank)
            }
            guard let items = node.items, items.count == Swift.max(rank, 2) else { throw ArgMismatch(node: node) }
            if rank == 1 {
                let v = try pair.convert(node)
                return [(v[0], v[1])]
            }
            if items.allSatisfy({ $0.scalar != nil }) {
                return try perAxis.convert(node).map { ($0, $0) }
            }
            var out: [(Int, Int)] = []
            for item in items {
                guard item.items != nil else { throw ArgMismatch(node: item) }
                let v = try pair.convert(item)
                out.append((v[0], v[1]))
            }
            return out
        }
    }
}

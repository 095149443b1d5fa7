import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's `BatchNormalization`, `LayerNormalization`, `GroupNormalization` and
    /// `UnitNormalization`, with Keras 3's arguments and defaults (momentum 0.99, epsilon
    /// 0.001, center and scale on, 32 groups). BatchNormalization
    /// normalizes the last axis (channels last); `renorm` is not supported.
    static let normalization: [Registry<any Layer>.Entry] = [
        .init(["BatchNormalization"], main: "axis", { o in
            let r = try o.reader()
            var c = BatchNormalization.Config()
            c.axis = try r.int("axis", default: -1)
            c.momentum = Float(try r.double("momentum", default: 0.99))
            c.epsilon = Float(try r.doubleInRange("epsilon", 0, .infinity, lowerInclusive: false, default: 1e-3))
            c.scaleOffset = try ScaleOffsetOptions.read(r, defaults: c.scaleOffset)
            c.movingMeanInitializer = try InitializerRegistry.read(r, "moving_mean_initializer", default: c.movingMeanInitializer)
            c.movingVarianceInitializer = try InitializerRegistry.read(r, "moving_variance_initializer", default: c.movingVarianceInitializer)
            if try r.bool("renorm", default: false) {
                throw r.error("renorm is not supported (batch renormalization); use renorm: false", key: "renorm")
            }
            // On one device a synchronized BatchNormalization is the plain one.
            _ = try r.bool("synchronized", default: false)
            try r.finish()
            guard c.axis == -1 || c.axis > 0 else {
                throw r.error("axis must be -1 or the last axis (channels last), got \(c.axis)", key: "axis")
            }
            return BatchNormalization(c)
        }),
        .init(["LayerNormalization"], main: "axis", { o in
            let r = try o.reader()
            var c = LayerNormalization.Config()
            c.axis = try r.value("axis", .intOrList) ?? [-1]
            c.epsilon = Float(try r.doubleInRange("epsilon", 0, .infinity, lowerInclusive: false, default: 1e-3))
            c.scaleOffset = try ScaleOffsetOptions.read(r, defaults: c.scaleOffset)
            c.rmsScaling = try r.bool("rms_scaling", default: false)
            try r.finish()
            guard !c.axis.isEmpty, !c.axis.contains(0) else {
                throw r.error("axis must name feature axes (not 0, the batch axis), got \(c.axis)", key: "axis")
            }
            return LayerNormalization(c)
        }),
        .init(["GroupNormalization"], main: "groups", { o in
            let r = try o.reader()
            var c = GroupNormalization.Config()
            c.groups = try r.int("groups", default: c.groups)
            guard c.groups > 0 || c.groups == -1 else {
                throw r.error("groups must be a positive integer (or -1 for instance normalization), got \(c.groups)", key: "groups")
            }
            c.axis = try r.int("axis", default: c.axis)
            guard c.axis != 0 else { throw r.error("axis must name a feature axis (not 0, the batch axis)", key: "axis") }
            c.epsilon = Float(try r.doubleInRange("epsilon", 0, .infinity, lowerInclusive: false, default: Double(c.epsilon)))
            c.scaleOffset = try ScaleOffsetOptions.read(r, defaults: c.scaleOffset)
            try r.finish()
            return GroupNormalization(c)
        }),
        .init(["UnitNormalization"], main: "axis", { o in
            let r = try o.reader()
            let c = UnitNormalization.Config(axis: try r.value("axis", .intOrList) ?? [-1])
            try r.finish()
            guard !c.axis.isEmpty, !c.axis.contains(0) else {
                throw r.error("axis must name feature axes (not 0, the batch axis), got \(c.axis)", key: "axis")
            }
            return UnitNormalization(c)
        }),
    ]
}

extension ArgType where T == [Int] {
    /// An integer or a list of integers (`axis: -1` or `axis: [1, 2]`).
    static var intOrList: ArgType<[Int]> {
        let list = ArgType<[Int]>.intList
        return ArgType(expected: "an integer or a list of integers") { node throws(ArgMismatch) in
            if node.scalar != nil { return [try ArgType<Int>.int.convert(node)] }
            return try list.convert(node)
        }
    }
}

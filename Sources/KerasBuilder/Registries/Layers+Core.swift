import KerasEngine
import KerasSpec

extension LayerRegistry {
    static let core: [Registry<any Layer>.Entry] = [
        .init(["Dense"], main: "units", { o in
            let r = try o.reader()
            var c = Dense.Config(units: try r.required("units", .positiveInt))
            c.weightOptions = try WeightOptions.read(r)
            try r.finish()
            return Dense(c)
        }),
        .init(["Activation"], main: "activation", { o in
            let r = try o.reader()
            guard let a = try r.object("activation") else { throw r.missing("activation") }
            let act = try ActivationRegistry.table.make(a)
            try r.finish()
            return ActivationLayer(act)
        }),
        .init(["Softmax"], main: "axis", { o in
            let r = try o.reader()
            let c = Softmax.Config(axis: try r.int("axis", default: Softmax.Config().axis))
            try r.finish()
            return Softmax(c)
        }),
        .init(["Dropout"], main: "rate", { o in
            let r = try o.reader()
            let rate = try r.doubleInRange("rate", 0, 1, upperInclusive: false)
            let noise = try r.intList("noise_shape")
            try r.finish()
            guard let rate else { throw r.missing("rate") }
            return Dropout(rate: Float(rate), noiseShape: noise.map { $0.map { $0 > 0 ? $0 : nil } })
        }),
        .init(["Flatten"], plain(Flatten())),
        .init(["Reshape"], main: "target_shape", { o in
            let r = try o.reader()
            guard let t = try r.intList("target_shape") else { throw r.missing("target_shape") }
            try r.finish()
            guard !t.isEmpty, t.allSatisfy({ $0 > 0 || $0 == -1 }), t.filter({ $0 == -1 }).count <= 1 else {
                throw r.error("target_shape must hold positive sizes and at most one -1, got \(t)", key: "target_shape")
            }
            return Reshape(t)
        }),
    ]
}

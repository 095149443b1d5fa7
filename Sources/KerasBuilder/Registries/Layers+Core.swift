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
        // The einsum runs as one GEMM; equations whose letters are summed alone, repeated
        // or shared by input, kernel and output are refused where the equation is written.
        .init(["EinsumDense"], main: "equation", { o in
            let r = try o.reader()
            let text = try r.required("equation", .string)
            let equation: EinsumEquation
            do throws(EinsumError) { equation = try EinsumEquation(text) } catch { throw r.error(error.description, key: "equation") }
            guard let shape = try r.value("output_shape", .partialShape) else { throw r.missing("output_shape") }
            var c = EinsumDense.Config(equation: equation, outputShape: shape, biasAxes: try r.string("bias_axes"))
            c.weightOptions = try WeightOptions.read(r, defaults: c.weightOptions, useBias: false)
            if r.node("lora_rank").map({ !$0.isNull }) ?? false {
                throw r.error("lora_rank (LoRA fine-tuning) is not supported; use null", key: "lora_rank")
            }
            for key in ["lora_rank", "lora_alpha", "gptq_unpacked_column_size"] { r.markUsed(key) }
            if r.node("quantization_config").map({ !$0.isNull }) ?? false {
                throw r.error("quantization_config is not supported (float32 only); use null", key: "quantization_config")
            }
            r.markUsed("quantization_config")
            try r.finish()
            return EinsumDense(c)
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
            let noise = try noiseShape(r)
            try r.finish()
            guard let rate else { throw r.missing("rate") }
            return Dropout(rate: Float(rate), noiseShape: noise)
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

    /// Dropout's `noise_shape` as Keras takes it: the shape of the mask, batch axis
    /// included, each entry a size or `null` (the input's size on that axis), e.g.
    /// `[null, 1, 1, null]` drops whole channels of images. The batch entry must be null.
    static func noiseShape(_ r: ArgReader) throws -> [Int?]? {
        guard let node = r.node("noise_shape"), !node.isNull else { r.markUsed("noise_shape"); return nil }
        r.markUsed("noise_shape")
        guard let items = node.items, !items.isEmpty else {
            throw r.error("noise_shape must be a list like [null, 1, 1, null] (batch axis first), got \(node.got)", at: node)
        }
        var shape: [Int?] = []
        for item in items {
            if item.isNull { shape.append(nil); continue }
            guard case let .int(v)? = item.scalar?.value, v > 0 else {
                throw r.error("noise_shape entries must be positive integers or null, got \(item.got)", at: item)
            }
            shape.append(v)
        }
        guard shape[0] == nil else { throw r.error("noise_shape: the batch entry (first) must be null", at: items[0]) }
        return Array(shape.dropFirst())
    }
}

extension ArgType where T == [Int?] {
    /// Keras's partial `output_shape`: a positive integer, or a list of positive integers
    /// and nulls (sizes taken from the input).
    static var partialShape: ArgType<[Int?]> {
        let dim = ArgType<Int>.positiveInt
        return ArgType(expected: "a positive integer or a list of positive integers and nulls") { node throws(ArgMismatch) in
            if node.scalar != nil, !node.isNull { return [try dim.convert(node)] }
            guard let items = node.items else { throw ArgMismatch(node: node) }
            var shape: [Int?] = []
            for item in items { shape.append(item.isNull ? nil : try dim.convert(item)) }
            return shape
        }
    }
}

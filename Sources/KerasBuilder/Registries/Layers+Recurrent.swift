import KerasText
import KerasEngine
import KerasSpec

extension LayerRegistry {
    /// Keras's recurrent layers (`SimpleRNN`, `LSTM`, `GRU`), their wrappers
    /// (`Bidirectional`, `TimeDistributed`) and the sequence-input layers `Embedding` and
    /// `Masking`, with Keras 3's arguments and defaults.
    ///
    /// Accepted with no effect on the numbers: `unroll` (a graph-compilation choice in
    /// Keras; the fused sequence op computes the same values), `use_cudnn: auto|false`
    /// (kerasctl runs on the CPU) and `stateful: false`. Not supported: `stateful: true`,
    /// `Bidirectional`'s `weights`.
    static let recurrent: [Registry<any Layer>.Entry] = [
        .init(["SimpleRNN"], main: "units", weights: .cell, { o in
            SimpleRNN(try recurrentConfig(o, SimpleRNN.Config.init, gated: false) { _, _ in })
        }),
        .init(["LSTM"], main: "units", weights: .cell, { o in
            LSTM(try recurrentConfig(o, LSTM.Config.init, gated: true) { r, c in
                c.unitForgetBias = try r.bool("unit_forget_bias", default: c.unitForgetBias)
            })
        }),
        .init(["GRU"], main: "units", weights: .cell, { o in
            GRU(try recurrentConfig(o, GRU.Config.init, gated: true) { r, c in
                c.resetAfter = try r.bool("reset_after", default: c.resetAfter)
            })
        }),
        .init(["Bidirectional"], main: "layer", weights: .bidirectional, { o in
            let r = try o.reader()
            guard let forward = try recurrentLayer(r, "layer", for: "Bidirectional") else { throw missingWrapped(r) }
            let mode: Bidirectional.MergeMode
            if r.has("merge_mode"), r.node("merge_mode")?.isNull == true {
                mode = .none   // Keras's merge_mode=None: both outputs, unmerged
            } else {
                let m = try r.oneOf("merge_mode", ["concat", "sum", "mul", "ave"], default: "concat")
                mode = Bidirectional.MergeMode(rawValue: m) ?? .concat
            }
            let backward = try recurrentLayer(r, "backward_layer", for: "Bidirectional")
            try r.finish()
            return try located(o) { try Bidirectional(forward, mergeMode: mode, backwardLayer: backward) }
        }),
        .init(["TimeDistributed"], main: "layer", weights: .wrapped, { o in
            let r = try o.reader()
            guard let nested = try nestedLayer(r, "layer") else { throw missingWrapped(r) }
            let (inner, spec) = nested
            try r.finish()
            guard let unary = inner as? any UnaryLayer else {
                throw spec.error("TimeDistributed wraps a layer with one input and one output (such as Dense, Dropout, Activation), got \(spec.name)",
                                 at: spec.nameNode)
            }
            return TimeDistributed(unary)
        }),
        .init(["Embedding"], { o in
            let r = try o.reader()
            let inputDim = try r.required("input_dim", .positiveInt)
            let outputDim = try r.required("output_dim", .positiveInt)
            var c = Embedding.Config(inputDim: inputDim, outputDim: outputDim)
            c.embeddingsInitializer = try InitializerRegistry.read(r, "embeddings_initializer", default: c.embeddingsInitializer)
            c.embeddingsRegularizer = try RegularizerRegistry.read(r, "embeddings_regularizer")
            c.activityRegularizer = try RegularizerRegistry.read(r, "activity_regularizer")
            c.embeddingsConstraint = try ConstraintRegistry.read(r, "embeddings_constraint")
            c.maskZero = try r.bool("mask_zero", default: false)
            if r.has("input_length") {
                throw r.error("input_length was removed in Keras 3; give the sequence length in the model's input_shape instead", key: "input_length")
            }
            try r.finish()
            return Embedding(c)
        }),
        .init(["Masking"], main: "mask_value", { o in
            let r = try o.reader()
            var c = Masking.Config()
            c.maskValue = Float(try r.double("mask_value", default: 0))
            try r.finish()
            return Masking(c)
        }),
    ]

    /// A recurrent layer's config: `units`, the shared ``RecurrentOptions`` (with
    /// `recurrent_activation` when `gated`), the cell's `own` arguments, then, for the
    /// gated cells, Keras's `use_cudnn`.
    static func recurrentConfig<C: ComposesRecurrentOptions>(_ o: ObjectSpec, _ make: (Int) -> C, gated: Bool,
                                                            own: (ArgReader, inout C) throws -> Void) throws -> C {
        let r = try o.reader()
        var c = make(try r.required("units", .positiveInt))
        c.recurrentOptions = try RecurrentOptions.read(r, gated: gated)
        try own(r, &c)
        if gated { try readUseCudnn(r) }
        try r.finish()
        return c
    }

    /// `use_cudnn`: Keras's "auto" (default) or false are accepted (the CPU path is
    /// used either way); true asks for a GPU kernel kerasctl does not have.
    static func readUseCudnn(_ r: ArgReader) throws {
        let type = ArgType<Bool>(expected: "'auto', true or false") { node throws(ArgMismatch) in
            switch node.scalar?.value {
            case .bool(let b)?: return b
            case .string("auto")?: return false
            default: throw ArgMismatch(node: node)
            }
        }
        if try r.value("use_cudnn", type) == true {
            throw r.error("use_cudnn: true needs a GPU; kerasctl runs on the CPU (use 'auto' or false)", key: "use_cudnn")
        }
    }

    /// The error for a wrapper without `layer`; when a layer was written in its place
    /// (`TimeDistributed: {Dense: 10}`), it says where it goes.
    static func missingWrapped(_ r: ArgReader) -> SpecError {
        if let k = r.keys.first(where: { table.contains($0) }) {
            return r.error("the wrapped layer goes under 'layer': write layer: {\(k): ...}", key: k)
        }
        return r.missing("layer")
    }

    /// Reads `key` as a nested layer object (`layer: {LSTM: {units: 64}}`) made by this
    /// registry; its own `name` argument names it. Nil when absent.
    static func nestedLayer(_ r: ArgReader, _ key: String) throws -> (any Layer, ObjectSpec)? {
        guard var o = try r.object(key) else { return nil }
        var given: String?
        for entry in o.args?.entries ?? [] where entry.name == "name" {
            guard let text = entry.value.string, !text.isEmpty else {
                throw o.error("name must be a non-empty string, got \(entry.value.got)", at: entry.value)
            }
            given = text
            o.instanceName = text
            o.consumedKeys.insert("name")
        }
        let layer = try table.make(o)
        layer.name = given ?? kerasSnakeCase(layer.typeName)
        return (layer, o)
    }

    /// A nested layer that must be SimpleRNN, LSTM or GRU (what `Bidirectional` wraps).
    static func recurrentLayer(_ r: ArgReader, _ key: String, for wrapper: String) throws -> RecurrentLayer? {
        guard let nested = try nestedLayer(r, key) else { return nil }
        let (layer, spec) = nested
        guard let rnn = layer as? RecurrentLayer else {
            throw spec.error("\(wrapper) wraps a recurrent layer (SimpleRNN, LSTM or GRU), got \(spec.name)", at: spec.nameNode)
        }
        return rnn
    }
}

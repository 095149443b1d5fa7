import Foundation
import KerasData

/// A model trained through a `feature_space` as the inference model of Keras's
/// structured-data guide: `keras.Model(inputs=feature_space.get_inputs(),
/// outputs=training_model(feature_space.get_encoded_features()))`.
///
/// One `Input(shape=(1,))` per feature column, with FeatureSpace's dtypes (`float32`,
/// `int32` for integer features, `string`), named after the column; each feature's
/// preprocessor with everything adapted written into its config (`StringLookup` /
/// `IntegerLookup` vocabulary, `Normalization` mean and variance, `Discretization`
/// bin_boundaries, `Hashing` num_bins, `Rescaling`, `TextVectorization` vocabulary and
/// idf_weights); `HashedCrossing` for the crosses; `CategoryEncoding(multi_hot)` for the
/// `one_hot` outputs; the outputs in FeatureSpace's order (features sorted, then crosses
/// sorted), concatenated (`concat`) or handed to the model's inputs of the same names
/// (`dict`); then the trained model, nested, as the guide calls it.
///
/// Departures, all with standard Keras objects: a `fill` (kerasctl's missing-value
/// extension) is `keras.ops.where(keras.ops.isnan(x), fill, x)` before the preprocessor, so
/// a missing number is fed as NaN (what `pandas.read_csv` gives); a `float` feature has no
/// identity layer; `Concatenate(axis=-1)` is Keras's public concat layer (FeatureSpace's
/// own `TFDConcat` is internal); a `multi_hot`/`count`/`tf_idf` text feature is followed by
/// `Reshape((width,))`, because Keras infers `(None, 1, width)` for TextVectorization on a
/// `(None, 1)` input while it computes `(None, width)`.
extension KerasExport {
    /// The layers of the end-to-end graph, called once each, and their output tensors.
    struct FeatureGraph {
        var calls: [String: Call] = [:]
        var serialized: [String: [String: Any]] = [:]
        var extras: [String: (groups: [String], variables: [(path: String, values: [Float])])] = [:]
        var tensors: [String: (width: Int, dtype: String)] = [:]
        var operations: Set<String> = []
        var used: Set<String> = []
        var inputs: [String] = []

        /// `base` with every character TensorFlow's name scopes refuse (`^[A-Za-z0-9_.\\/>-]*$`)
        /// as `_`, or that with `_1`, `_2`, ... when a layer already has the name.
        mutating func unique(_ raw: String) -> String {
            let base = String(raw.unicodeScalars.map { c -> Character in
                c.isASCII && (c.properties.isAlphabetic || c.properties.numericType != nil || "_.>-".unicodeScalars.contains(c)) ? Character(c) : "_"
            })
            var name = base, k = 0
            while used.contains(name) { k += 1; name = "\(base)_\(k)" }
            used.insert(name)
            return name
        }

        func tensor(_ name: String) -> [String: Any] {
            let t = tensors[name] ?? (1, "float32")
            return ["class_name": "__keras_tensor__",
                    "config": ["shape": [NSNull(), t.width], "dtype": t.dtype, "keras_history": [name, 0, 0]] as [String: Any]]
        }

        mutating func input(_ name: String, dtype: String) {
            inputs.append(name)
            calls[KerasExport.key(name, 0)] = Call(layer: name, call: 0, inputs: [], isInput: true)
            tensors[name] = (1, dtype)
            serialized[name] = [
                "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(), "name": name,
                "config": ["batch_shape": [NSNull(), 1], "dtype": dtype, "sparse": false, "ragged": false, "name": name] as [String: Any],
                "inbound_nodes": [Any](),
            ]
        }

        /// Calls a new layer (or `keras.ops` operation, `module` given) on `inputs`; returns its name.
        /// `list` passes the inputs as one list argument (HashedCrossing, Concatenate);
        /// `constants` are an operation's constant operands by position.
        @discardableResult
        mutating func call(_ base: String, _ className: String, _ config: [String: Any], on inputs: [String], list: Bool = false,
                           constants: [(position: Int, value: Double)] = [], module: String? = nil,
                           width: Int, dtype: String = "float32") -> String {
            let name = unique(base)
            let args = inputs.map(tensor)
            var positional: [Any]
            if list {
                positional = [args]
            } else {
                var rest = args.makeIterator()
                positional = (0..<(args.count + constants.count)).compactMap { i in
                    constants.first { $0.position == i }.map { $0.value as Any } ?? rest.next()
                }
            }
            var c = config
            c["name"] = name
            var entry: [String: Any] = ["class_name": className, "config": c, "name": name,
                                        "inbound_nodes": [["args": positional, "kwargs": [String: Any]()] as [String: Any]]]
            if let module {
                entry["module"] = module
                entry["registered_name"] = className
                operations.insert(name)
            } else {
                // As Keras writes them: Discretization and HashedCrossing take no `trainable`.
                if !["Discretization", "HashedCrossing"].contains(className) { c["trainable"] = true }
                entry["config"] = c
                entry["module"] = "keras.layers"
                entry["registered_name"] = NSNull()
            }
            serialized[name] = entry
            calls[KerasExport.key(name, 0)] = Call(layer: name, call: 0, inputs: inputs.map { (KerasExport.key($0, 0), 0, $0) },
                                                   isInput: false, constants: constants)
            tensors[name] = (width, dtype)
            return name
        }
    }

    /// Keras layer names cannot hold a `/` (nor be empty); a column name becomes an input name.
    static func checkInputName(_ column: String, model: String) throws {
        if column.isEmpty || column.contains("/") {
            throw KerasFileError(file: model, "feature column '\(column)' cannot be a Keras input name (Keras names cannot be empty or contain '/'); rename the column to export this model")
        }
    }

    /// The end-to-end model: raw columns in, the trained model (`config`, `layers`) out.
    static func endToEnd(_ space: FeatureSpace, model config: [String: Any], _ layers: [KerasLayer],
                         name: String) throws -> ([String: Any], [KerasLayer]) {
        var g = FeatureGraph()
        // The inputs keep the column names (the keys Keras's predict takes); other layers give way.
        for f in space.config.features {
            try checkInputName(f.name, model: name)
            g.used.insert(f.name)
        }
        let outer = g.unique(name + "_inference")
        // Each feature's input, fill and preprocessor: the name of the layer giving its preprocessed value.
        var preprocessed: [String: String] = [:]
        for f in space.config.features {
            let s = space.states[f.name] ?? FeatureState()
            let p = f.name + "_preprocessor"
            switch f.type {
            case .float, .floatRescaled, .floatNormalized, .floatDiscretized:
                g.input(f.name, dtype: "float32")
                var x = f.name
                if let fill = s.fill {
                    guard fill.isFinite else { throw KerasFileError(file: name, "feature '\(f.name)': its fill is not a finite number") }
                    let isnan = g.call(f.name + "_isnan", "Isnan", [:], on: [x], module: "keras.src.ops.numpy", width: 1, dtype: "bool")
                    x = g.call(f.name + "_fill", "Where", [:], on: [isnan, x], constants: [(1, fill)], module: "keras.src.ops.numpy", width: 1)
                }
                switch f.type {
                case let .floatRescaled(scale, offset):
                    x = g.call(p, "Rescaling", ["scale": scale, "offset": offset], on: [x], width: 1)
                case .floatNormalized:
                    x = g.call(p, "Normalization", ["axis": -1, "mean": [s.mean ?? 0], "variance": [s.variance ?? 1], "invert": false],
                               on: [x], width: 1)
                case .floatDiscretized:
                    let edges = (s.boundaries ?? []).map(Double.init)
                    x = g.call(p, "Discretization", ["bin_boundaries": edges, "num_bins": edges.count + 1, "epsilon": 0.01, "output_mode": "int", "sparse": false],
                               on: [x], width: 1, dtype: "int64")
                default: break
                }
                preprocessed[f.name] = x
            case let .integerCategorical(maxTokens, oov, _), let .stringCategorical(maxTokens, oov, _):
                let integer = { if case .integerCategorical = f.type { true } else { false } }()
                g.input(f.name, dtype: integer ? "int32" : "string")
                let tokens = s.vocabulary?.tokens ?? []
                var c: [String: Any] = ["max_tokens": maxTokens.map { $0 as Any } ?? NSNull(), "num_oov_indices": oov, "mask_token": NSNull(),
                                        "output_mode": "int", "sparse": false, "pad_to_max_tokens": false, "invert": false]
                if integer {
                    c["vocabulary"] = try tokens.map { t -> Int64 in
                        guard let v = Int64(t) else { throw KerasFileError(file: name, "feature '\(f.name)': vocabulary token '\(t)' is not an integer") }
                        return v
                    }
                    c["oov_token"] = -1
                    c["vocabulary_dtype"] = "int64"
                } else {
                    c["vocabulary"] = tokens
                    c["oov_token"] = "[UNK]"
                }
                preprocessed[f.name] = g.call(p, integer ? "IntegerLookup" : "StringLookup", c, on: [f.name], width: 1, dtype: "int64")
            case let .integerHashed(bins, _), let .stringHashed(bins, _):
                let integer = { if case .integerHashed = f.type { true } else { false } }()
                g.input(f.name, dtype: integer ? "int32" : "string")
                preprocessed[f.name] = g.call(p, "Hashing", ["num_bins": bins, "salt": NSNull(), "mask_value": NSNull(), "output_mode": "int", "sparse": false],
                                              on: [f.name], width: 1, dtype: "int64")
            case let .text(o):
                g.input(f.name, dtype: "string")
                let tokens = s.text?.tokens ?? []
                let width = space.width(of: f.name)
                var c: [String: Any] = [
                    "max_tokens": o.maxTokens.map { $0 as Any } ?? NSNull(), "standardize": o.standardize?.rawValue ?? NSNull(),
                    "split": o.split?.rawValue ?? NSNull(), "ngrams": ngramsConfig(o.ngrams), "output_mode": o.outputMode.rawValue,
                    "output_sequence_length": o.outputSequenceLength.map { $0 as Any } ?? NSNull(),
                    "pad_to_max_tokens": o.padToMaxTokens, "sparse": false, "ragged": false, "vocabulary": tokens,
                    "idf_weights": NSNull(), "encoding": "utf-8",
                ]
                var variables: [(path: String, values: [Float])] = []
                if o.outputMode == .tfIdf, let idf = s.text?.idf {
                    // Keras takes the learned tokens' weights and puts their mean at the OOV index,
                    // as adapt did; the variables hold all of them (OOV first).
                    c["idf_weights"] = idf.dropFirst().prefix(tokens.count).map(Double.init)
                    variables = [("vars/idf_weights", idf), ("_lookup_layer/vars/idf_weights", idf)]
                }
                let isInt = o.outputMode == .int
                var x = g.call(p, "TextVectorization", c, on: [f.name], width: width, dtype: isInt ? "int64" : "float32")
                g.extras[x] = (["_lookup_layer", "_lookup_layer/vars"], variables)
                if !isInt { x = g.call(f.name + "_flatten", "Reshape", ["target_shape": [width]], on: [x], width: width) }
                preprocessed[f.name] = x
            }
        }
        for cross in space.config.crosses {
            preprocessed[cross.name] = g.call(cross.name, "HashedCrossing", ["num_bins": cross.crossingDim, "output_mode": "int", "sparse": false],
                                              on: cross.features.compactMap { preprocessed[$0] }, list: true, width: 1, dtype: "int64")
        }
        // FeatureSpace's outputs: one_hot ones through CategoryEncoding.
        var encoded: [String: String] = [:]
        for outputName in space.outputNames {
            guard let x = preprocessed[outputName] else { continue }
            let width = space.width(of: outputName)
            if space.isOneHot(outputName) {
                encoded[outputName] = g.call(outputName + "_one_hot", "CategoryEncoding", ["num_tokens": width, "output_mode": "multi_hot", "sparse": false],
                                             on: [x], width: width)
            } else {
                encoded[outputName] = x
            }
        }
        // The trained model, called on the concatenation or on its named inputs.
        guard let inner = config["config"] as? [String: Any], let innerClass = config["class_name"] as? String else {
            throw KerasFileError(file: name, "the model's Keras config is incomplete")
        }
        let parts = space.outputNames.compactMap { encoded[$0] }
        var modelInputs: [String]
        if space.config.outputMode == .concat {
            let total = parts.reduce(0) { $0 + (g.tensors[$1]?.width ?? 0) }
            modelInputs = parts.count == 1 ? parts : [g.call("concatenate", "Concatenate", ["axis": -1], on: parts, list: true, width: total)]
        } else {
            let names = endpointNames(inner["input_layers"]) ?? []
            modelInputs = try names.map { n in
                guard let x = encoded[n] else { throw KerasFileError(file: name, "model input '\(n)' is not an output of the feature_space") }
                return x
            }
        }
        let nestedName = g.unique(name)
        var nested = config
        nested["name"] = nestedName
        var nestedInner = inner
        nestedInner["name"] = nestedName
        nested["config"] = nestedInner
        let args = modelInputs.map(g.tensor)
        nested["inbound_nodes"] = [["args": args.count == 1 ? [args[0]] : [args], "kwargs": [String: Any]()] as [String: Any]]
        g.serialized[nestedName] = nested
        g.calls[key(nestedName, 0)] = Call(layer: nestedName, call: 0, inputs: modelInputs.map { (key($0, 0), 0, $0) }, isInput: false)
        let outputCount = innerClass == "Sequential" ? 1 : endpointCount(inner["output_layers"])

        let order = kerasLayerOrder(calls: g.calls, outputs: [key(nestedName, 0)], inputs: g.inputs)
        var all: [KerasLayer] = []
        for layerName in order {
            guard let s = g.serialized[layerName] else { continue }
            var k = KerasLayer(name: layerName, className: s["class_name"] as? String ?? "", object: nil, layer: nil, serialized: s)
            if layerName == nestedName { k.nested = layers }
            if let e = g.extras[layerName] { k.groups = e.groups; k.variables = e.variables }
            all.append(k)
        }
        var inputLayers: [String: Any] = [:]
        for i in g.inputs { inputLayers[i] = [i, 0, 0] }
        let endpoints: [Any] = (0..<outputCount).map { [nestedName, 0, $0] as [Any] }
        let outputs: Any = outputCount == 1 ? endpoints[0] : endpoints
        let out: [String: Any] = [
            "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "build_config": ["input_shape": NSNull()],
            "config": ["name": outer, "trainable": true, "layers": all.map(\.serialized),
                       "input_layers": inputLayers, "output_layers": outputs] as [String: Any],
        ]
        // keras.ops operations have no weights group.
        return (out, all.filter { !g.operations.contains($0.name) })
    }

    /// TextVectorization's `ngrams`: an int for 1...n, else the widths as a list (Keras writes
    /// the tuple so and its `from_config` reads it back).
    static func ngramsConfig(_ widths: [Int]?) -> Any {
        guard let widths, let n = widths.last else { return NSNull() }
        return widths == Array(1...max(n, 1)) ? n as Any : widths as Any
    }

    /// The layer names of a Functional config's `input_layers` (`[name, 0, 0]` or a list of them).
    static func endpointNames(_ value: Any?) -> [String]? {
        if let one = value as? [Any], let n = one.first as? String { return [n] }
        if let many = value as? [[Any]] { return many.compactMap { $0.first as? String } }
        return nil
    }

    static func endpointCount(_ value: Any?) -> Int {
        if let one = value as? [Any], one.first is String { return 1 }
        return (value as? [Any])?.count ?? 1
    }
}

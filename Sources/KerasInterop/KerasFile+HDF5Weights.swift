import KerasText
import KerasBuilder
import KerasEngine
import KerasSpec

/// Reading a Keras file's weights through ``HDF5Sandbox``: the parent works out, from the
/// built model, what every layer needs (shapes, and where its values go in one shared
/// buffer); the child walks the HDF5 groups — each group visited once (a link back to an
/// ancestor is an error, not a loop), at most 16 levels deep — checks every dataset's
/// type and shape against that plan before reading a byte of it, and reads the values
/// into the buffer.
extension KerasFile {
    /// What one Keras layer (in the file's config order) takes from the weights file.
    struct LayerPlan {
        let info: KerasLayerInfo
        /// The layer's group: `/layers/dense_1` (native) or `/model_weights/dense_1` (legacy).
        let group: String
        /// The model's parameters for it; nil when the model has no such layer.
        let parameters: [Parameter]?
        /// Where its first value goes in the shared buffer, in floats.
        let offset: Int
    }

    /// Plans the read of `model`'s weights; `group` gives a layer's group path. With
    /// `nested` (the native layout), a model used as a layer is planned layer by layer
    /// under its own group (`/layers/sequential/layers/conv2d`), in its config's order.
    static func plan(model: Model, keras: KerasModelJSON, file: String, nested: Bool = false,
                     group: (KerasLayerInfo, String) -> String) throws(KerasFileError) -> (plans: [LayerPlan], floats: Int) {
        var plans: [LayerPlan] = []
        var offset = 0
        func add(_ layers: [any Layer], _ infos: [KerasLayerInfo], _ groups: [String]) throws(KerasFileError) {
            let byName = Dictionary(layers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (info, path) in zip(infos, groups) {
                let layer = byName[info.name]
                if nested, let inner = (layer as? ModelLayer)?.model, let items = info.node["config"]?["layers"]?.items {
                    var innerInfos = items.compactMap(KerasLayerInfo.init(node:))
                    if inner is Sequential { innerInfos.removeAll { $0.className == "InputLayer" } }
                    let names = nativeGroupNames(innerInfos.map(\.className)).map { "\(path)/layers/\($0)" }
                    try add(inner.layers, innerInfos, names)
                    continue
                }
                let params = layer?.parameters
                plans.append(LayerPlan(info: info, group: path, parameters: params, offset: offset))
                for p in params ?? [] {
                    guard let next = ShapeArithmetic.sum(offset, p.count) else { throw KerasFileError(file: file, "the model is too large") }
                    offset = next
                }
            }
        }
        let groups = zip(keras.layers, nativeGroupNames(keras.layers.map(\.className))).map { group($0, $1) }
        try add(model.layers, keras.layers, groups)
        return (plans, offset)
    }

    /// Gives `model` the weights in the HDF5 `image` laid out as `layout`: Keras 3's groups
    /// (`/layers/<class_snake>[_k]`, nested models per inner layer) or the legacy groups by
    /// layer name (under `/model_weights` in a model file). Every parameter must get a value.
    static func loadWeights(into model: Model, keras: KerasModelJSON, image: [UInt8], name: String, file: String,
                            layout: WeightsLayout) throws(KerasFileError) {
        let top = layout == .legacyNested ? "/model_weights" : ""
        let (plans, floats) = layout == .native
            ? try plan(model: model, keras: keras, file: file, nested: true) { _, native in "/layers/\(native)" }
            : try plan(model: model, keras: keras, file: file) { info, _ in "\(top)/\(info.name)" }
        try readWeights(image: image, name: name, file: file, legacy: layout != .native, plans: plans, floats: floats)
        try checkAllAssigned(model, file: file)
    }

    /// Reads the weights of `plans` from the HDF5 image (in a child) and gives them to the
    /// model's parameters. `legacy` selects the legacy layout (`weight_names` attributes).
    static func readWeights(image: [UInt8], name: String, file: String, legacy: Bool,
                            plans: [LayerPlan], floats: Int) throws(KerasFileError) {
        guard let bytes = ShapeArithmetic.product(floats, 4) else { throw KerasFileError(file: file, "the model is too large") }
        try HDF5Sandbox.run(file: name, fileBytes: image.count, sharedBytes: bytes, body: { buffer throws(KerasFileError) -> [UInt8] in
            let h5 = try HDF5File.open(image: image, name: name)
            for plan in plans {
                var visited = Set<UInt64>()
                let paths = legacy ? try legacyDatasets(h5, plan: plan, file: file)
                    : try nativeDatasets(h5, group: plan.group, className: plan.info.className, visited: &visited, depth: 0)
                let shapes = try paths.map { (p: String) throws(KerasFileError) -> [Int] in try h5.floatShape(p) }
                try check(plan, found: shapes, file: file)
                var at = plan.offset
                for (path, shape) in zip(paths, shapes) {
                    let count = ShapeArithmetic.count(shape) ?? 0
                    try h5.readFloats(path, into: buffer.baseAddress! + 4 * at, count: count)
                    at += count
                }
            }
            return []
        }, finish: { _, buffer throws(KerasFileError) in
            for plan in plans {
                var at = plan.offset
                for param in plan.parameters ?? [] {
                    var value = Tensor(uninitializedShape: param.shape)
                    value.withMutableData { dst in
                        _ = dst.initialize(from: UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: Float.self) + at, count: param.count))
                    }
                    at += param.count
                    param.value = value
                }
            }
        })
    }

    /// Checks that the file gave every parameter of `model` its value (a layer the file's
    /// config does not list would otherwise keep a stand-in).
    static func checkAllAssigned(_ model: Model, file: String) throws(KerasFileError) {
        for layer in model.layers where layer.parameters.contains(where: \.value.isStandIn) {
            throw KerasFileError(file: file, "no weights for layer '\(layer.name)' (\(layer.typeName)) in the file")
        }
    }

    /// The dataset paths of a native layer group in `get_weights()` order: its own
    /// `vars/0...`, then its tracked sub-objects' (a recurrent layer's `cell`,
    /// TimeDistributed's `layer`); Bidirectional's forward layer before its backward layer.
    static func nativeDatasets(_ h5: HDF5File, group: String, className: String?,
                               visited: inout Set<UInt64>, depth: Int) throws(KerasFileError) -> [String] {
        guard h5.kind(group) == .group else { return [] }
        guard depth < 16 else { throw KerasFileError(file: h5.name, "groups nested more than 16 levels deep at \(group) (corrupt file?)") }
        guard let address = h5.address(group) else { throw KerasFileError(file: h5.name, "cannot open group \(group) (corrupt file)") }
        guard visited.insert(address).inserted else {
            throw KerasFileError(file: h5.name, "group \(group) links back to a group already read (a cycle; corrupt file)")
        }
        if let className, LayerRegistry.table.entry(named: className)?.weights == .bidirectional {
            return try nativeDatasets(h5, group: group + "/forward_layer", className: nil, visited: &visited, depth: depth + 1)
                + nativeDatasets(h5, group: group + "/backward_layer", className: nil, visited: &visited, depth: depth + 1)
        }
        if let className, case let .groups(groups, _)? = LayerRegistry.table.entry(named: className)?.weights {
            var paths: [String] = []
            for sub in groups {
                paths += try nativeDatasets(h5, group: "\(group)/\(sub.name)", className: sub.className, visited: &visited, depth: depth + 1)
            }
            return paths
        }
        var paths: [String] = []
        while paths.count < 4096, h5.kind("\(group)/vars/\(paths.count)") == .dataset {
            paths.append("\(group)/vars/\(paths.count)")
        }
        for child in h5.children(group) where child != "vars" && h5.kind("\(group)/\(child)") == .group {
            paths += try nativeDatasets(h5, group: "\(group)/\(child)", className: nil, visited: &visited, depth: depth + 1)
            if paths.count > 4096 { throw KerasFileError(file: h5.name, "group \(group) holds more than 4096 arrays (corrupt file?)") }
        }
        return paths
    }

    /// The dataset paths of a legacy layer group, from its `weight_names` attribute.
    static func legacyDatasets(_ h5: HDF5File, plan: LayerPlan, file: String) throws(KerasFileError) -> [String] {
        guard h5.kind(plan.group) == .group else { return [] }
        let names = try h5.strings("weight_names", of: plan.group) ?? []
        var paths: [String] = []
        for name in names where !name.isEmpty {
            guard h5.kind("\(plan.group)/\(name)") == .dataset else {
                throw KerasFileError(file: file, "weight '\(name)' of layer '\(plan.info.name)' is listed but missing")
            }
            paths.append("\(plan.group)/\(name)")
        }
        return paths
    }

    /// Checks the arrays found for a layer against its parameters.
    static func check(_ plan: LayerPlan, found: [[Int]], file: String) throws(KerasFileError) {
        let info = plan.info
        guard let params = plan.parameters else {
            if found.isEmpty { return }
            throw KerasFileError(file: file, "the weights file has arrays for '\(info.name)', which the model does not have")
        }
        let expected = params.map { describe($0.shape) }.joined(separator: ", ")
        let got = found.map { describe($0) }.joined(separator: ", ")
        guard found.count == params.count, zip(found, params).allSatisfy({ $0 == $1.shape }) else {
            if found.isEmpty {
                throw KerasFileError(file: file, "no weights for layer '\(info.name)' (\(info.className)), which needs \(params.count): \(expected)")
            }
            throw KerasFileError(file: file, "layer '\(info.name)' (\(info.className)): the weights file has shapes [\(got)], the model config needs [\(expected)]")
        }
    }

    /// How a weights file is laid out.
    enum WeightsLayout { case native, legacy, legacyNested }

    /// A weights file's layout: Keras 3's (`/layers/...`), or legacy (a group per layer
    /// with `weight_names`, at the root or under `/model_weights`) — read in a child.
    static func weightsLayout(_ image: [UInt8], path: String) throws(KerasFileError) -> WeightsLayout {
        try HDF5Sandbox.run(file: path, fileBytes: image.count, sharedBytes: 0, body: { _ throws(KerasFileError) -> [UInt8] in
            let h5 = try HDF5File.open(image: image, name: path)
            var w = MessageWriter()
            w.int(h5.kind("/layers") == .group ? 0 : h5.kind("/model_weights") == .group ? 2 : 1)
            return w.bytes
        }, finish: { message, _ throws(KerasFileError) in
            var r = MessageReader(bytes: message, file: path)
            switch try r.int() {
            case 0: return .native
            case 2: return .legacyNested
            default: return .legacy
            }
        })
    }

    /// The legacy file's root: its `model_config` and `keras_version` attributes, and
    /// whether the weights sit under `/model_weights` — read in a child.
    static func legacyAttributes(_ image: [UInt8], path: String) throws(KerasFileError) -> (config: String?, version: String?, nestedWeights: Bool) {
        try HDF5Sandbox.run(file: path, fileBytes: image.count, sharedBytes: 0, body: { _ throws(KerasFileError) -> [UInt8] in
            let h5 = try HDF5File.open(image: image, name: path)
            var w = MessageWriter()
            w.string(try h5.strings("model_config", of: "/")?.first)
            w.string(try h5.strings("keras_version", of: "/")?.first)
            w.int(h5.kind("/model_weights") == .group ? 1 : 0)
            return w.bytes
        }, finish: { message, _ throws(KerasFileError) in
            var r = MessageReader(bytes: message, file: path)
            let config = try r.string(), version = try r.string()
            return (config, version, try r.int() == 1)
        })
    }
}

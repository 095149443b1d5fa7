import KerasText
import Foundation
import KerasData

/// A trained model's preprocessing as Keras layers, so the exported file takes the raw
/// inputs kerasctl takes: `Rescaling(scale)` for `rescale`, then `Normalization(mean,
/// variance = std²)` for `standardize` (last axis), between the input and the model.
extension KerasExport {
    static func prepend(_ p: Preprocessing, to config: [String: Any], _ layers: [KerasLayer], inputShape: [Int],
                        name: String) throws -> ([String: Any], [KerasLayer]) {
        guard var outer = config["config"] as? [String: Any], var list = outer["layers"] as? [Any] else { return (config, layers) }
        let functional = config["class_name"] as? String == "Functional"
        let inputs = layers.filter { $0.className == "InputLayer" }
        if functional, inputs.count != 1 {
            throw KerasFileError(file: name, "the model's preprocessing (rescale, standardize) can only be exported for a model with one input")
        }
        var added: [KerasLayer] = []
        var previous = inputs.first?.name
        func layer(_ className: String, _ config: [String: Any]) {
            let layerName = kerasSnakeCase(className)
            var c = config
            c["name"] = layerName
            c["trainable"] = true
            c["dtype"] = "float32"
            var serialized: [String: Any] = ["module": "keras.layers", "class_name": className, "config": c, "registered_name": NSNull()]
            if functional, let previous {
                serialized["name"] = layerName
                let tensor: [String: Any] = ["class_name": "__keras_tensor__", "config": [
                    "shape": [NSNull()] + inputShape, "dtype": "float32", "keras_history": [previous, 0, 0]] as [String: Any]]
                serialized["inbound_nodes"] = [["args": [tensor], "kwargs": [String: Any]()] as [String: Any]]
            }
            previous = layerName
            added.append(KerasLayer(name: layerName, className: className, object: nil, layer: nil, serialized: serialized))
        }
        if let rescale = p.rescale { layer("Rescaling", ["scale": Double(rescale), "offset": 0.0]) }
        if let mean = p.mean, let std = p.std {
            let perFeature = mean.count == (inputShape.last ?? 0) || (mean.count == inputShape.reduce(1, *) && inputShape.count == 1)
            guard perFeature else {
                throw KerasFileError(file: name, "standardization with \(mean.count) statistics cannot be expressed as a Keras Normalization over the last axis of \(inputShape)")
            }
            layer("Normalization", ["axis": -1, "mean": mean.map(Double.init), "variance": std.map { Double($0) * Double($0) }, "invert": false])
        }
        guard functional, let input = inputs.first?.name, let last = previous else {
            // Sequential: after the InputLayer entry.
            list.insert(contentsOf: added.map(\.serialized), at: 1)
            outer["layers"] = list
            var out = config
            out["config"] = outer
            return (out, added + layers)
        }
        // Functional: every reader of the input reads the last preprocessing layer instead;
        // the new layers follow the InputLayer (they are deeper than every other layer).
        func rewire(_ value: Any) -> Any {
            if var d = value as? [String: Any] {
                if let h = d["keras_history"] as? [Any], h.first as? String == input { d["keras_history"] = [last] + h.dropFirst() }
                for (k, v) in d where k != "keras_history" { d[k] = rewire(v) }
                return d
            }
            if let a = value as? [Any] { return a.map(rewire) }
            return value
        }
        // Only the layers' own calls (a nested model's config has inputs of its own).
        var rewired = layers.map { l in
            guard l.className != "InputLayer", let nodes = l.serialized["inbound_nodes"] else { return l }
            var copy = l
            copy.serialized["inbound_nodes"] = rewire(nodes)
            return copy
        }
        let at = (rewired.firstIndex { $0.className == "InputLayer" } ?? -1) + 1
        rewired.insert(contentsOf: added, at: at)
        outer["layers"] = rewired.map(\.serialized)
        if let outputs = outer["output_layers"] { outer["output_layers"] = rewireEndpoint(outputs, input, last) }
        var out = config
        out["config"] = outer
        return (out, rewired)
    }

    /// An output that is the input itself becomes the last preprocessing layer.
    static func rewireEndpoint(_ value: Any, _ input: String, _ last: String) -> Any {
        if let a = value as? [Any], a.first as? String == input { return [last] + a.dropFirst() }
        if let a = value as? [Any], a.first is [Any] { return a.map { rewireEndpoint($0, input, last) } }
        return value
    }
}

import Foundation

/// TensorFlow 2 summaries (`tf.summary.scalar`, `tf.summary.histogram`) as events: a
/// tensor-valued `Summary.Value` whose metadata names the TensorBoard plugin that shows it,
/// the tensor's bytes little-endian as TensorFlow's `AsProtoTensorContent` writes them.
enum Summaries {
    /// `tf.summary.scalar(tag, value, step)`: a rank-0 float32 tensor, plugin "scalars".
    static func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double) -> Tensorboard_Event {
        var t = Tensorboard_TensorProto()
        t.dtype = .dtFloat
        t.tensorShape = Tensorboard_TensorShapeProto()
        t.tensorContent = bytes(of: Float(value))
        return event(tag, t, plugin: "scalars", step: step, wallTime: wallTime)
    }

    /// `tf.summary.histogram(tag, data, step)`: a `[buckets, 3]` float64 tensor of
    /// `(left edge, right edge, count)` rows, plugin "histograms".
    static func histogram(_ tag: String, _ data: [Float], step: Int, wallTime: Double, buckets: Int = Histogram.defaultBuckets) -> Tensorboard_Event {
        let rows = Histogram.buckets(data, count: buckets)
        var t = Tensorboard_TensorProto()
        t.dtype = .dtDouble
        t.tensorShape.dim = [rows.count, 3].map { var d = Tensorboard_TensorShapeProto.Dim(); d.size = Int64($0); return d }
        var content = Data(capacity: rows.count * 24)
        for r in rows { content += bytes(of: r.left); content += bytes(of: r.right); content += bytes(of: r.count) }
        t.tensorContent = content
        return event(tag, t, plugin: "histograms", step: step, wallTime: wallTime)
    }

    /// Keras's `keras_model_summary(name, model)`: the model's `to_json()` as a string
    /// tensor, plugin "graph_keras_model" (content "1"), which TensorBoard's graph dashboard
    /// draws as the model's conceptual graph.
    static func kerasModel(_ tag: String, json: String, step: Int, wallTime: Double) -> Tensorboard_Event {
        var t = Tensorboard_TensorProto()
        t.dtype = .dtString
        t.tensorShape = Tensorboard_TensorShapeProto()
        t.stringVal = [Data(json.utf8)]
        return event(tag, t, plugin: "graph_keras_model", content: Data("1".utf8), step: step, wallTime: wallTime)
    }

    /// `content` is the plugin's data; scalars and histograms write their PluginData message
    /// at version 0, which serializes to no bytes.
    private static func event(_ tag: String, _ tensor: Tensorboard_TensorProto, plugin: String, content: Data = Data(),
                              step: Int, wallTime: Double) -> Tensorboard_Event {
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.metadata.pluginData.pluginName = plugin
        v.metadata.pluginData.content = content
        v.tensor = tensor
        var e = Tensorboard_Event()
        e.wallTime = wallTime
        e.step = Int64(step)
        e.summary.value = [v]
        return e
    }

    private static func bytes<T: BitwiseCopyable>(of value: T) -> Data {
        // Linux runs on little-endian CPUs only (x86_64, aarch64, ...), as TensorFlow assumes.
        withUnsafeBytes(of: value) { Data($0) }
    }
}

/// TensorBoard's histogram buckets (`tensorboard/plugins/histogram/summary_v2.py`,
/// `_buckets`): `count` equal-width buckets from the minimum to the maximum, a value's bucket
/// `floor((x − min) / width)` clamped to the last; the last right edge is exactly the
/// maximum. All values equal: every edge is that value and the last bucket holds them all.
/// No data: `count` rows of zeros.
public enum Histogram {
    public static let defaultBuckets = 30

    public struct Bucket: Equatable, Sendable {
        public var left: Double, right: Double, count: Double
    }

    /// Non-finite values (a diverged weight) are left out, where TensorFlow would make every
    /// edge NaN.
    public static func buckets(_ values: [Float], count: Int = defaultBuckets) -> [Bucket] {
        let k = Swift.max(0, count)
        guard k > 0 else { return [] }
        let data = values.filter(\.isFinite)
        guard let lo = data.min(), let hi = data.max() else {
            return Array(repeating: Bucket(left: 0, right: 0, count: 0), count: k)
        }
        let minV = Double(lo), maxV = Double(hi), range = maxV - minV
        guard range > 0 else {
            return (0..<k).map { Bucket(left: maxV, right: maxV, count: $0 == k - 1 ? Double(data.count) : 0) }
        }
        let width = range / Double(k)
        var counts = [Double](repeating: 0, count: k)
        for x in data {
            let i = Swift.min(Int(((Double(x) - minV) / width).rounded(.down)), k - 1)
            counts[Swift.max(0, i)] += 1
        }
        // tf.linspace(min, max, k + 1) with its last edge set to max.
        var edges = (0...k).map { minV + Double($0) * (range / Double(k)) }
        edges[k] = maxV
        return (0..<k).map { Bucket(left: edges[$0], right: edges[$0 + 1], count: counts[$0]) }
    }
}

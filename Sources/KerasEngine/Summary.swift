#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A custom `Model` subclass can report the output shapes of its layers so `summary()`
/// shows them (Keras prints `?` for a layer whose shape it does not know). The easy way
/// is to keep a `LayerShapeLog` and build the layers through it.
public protocol LayerShapeReporting: Model {
    func outputShapes(of layer: any Layer) -> [[Int]]?
}

/// Builds layers and remembers their output shapes, for `LayerShapeReporting`.
public struct LayerShapeLog {
    private var shapes: [ObjectIdentifier: [[Int]]] = [:]
    public init() {}
    /// Builds `layer` for `inputShapes` and records (and returns) its output shapes.
    @discardableResult
    public mutating func build(_ layer: any Layer, inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        let out = try Model.checkedBuild(layer, inputShapes: inputShapes, context: &context)
        shapes[ObjectIdentifier(layer)] = out
        return out
    }
    public func outputShapes(of layer: any Layer) -> [[Int]]? { shapes[ObjectIdentifier(layer)] }
}

extension Model {
    /// Keras 3's `model.summary()` text, as it prints with a terminal of
    /// `terminalColumns` (80 when not on a terminal): the title, a table with one row
    /// per layer (`Layer (type)`, `Output Shape`, `Param #`, and `Connected to` for a
    /// functional model that is not a plain chain), then the parameter totals with
    /// their float32 sizes, e.g. ` Total params: 669,706 (2.55 MB)`. Ends with a newline.
    public func summary(terminalColumns: Int = 80) -> String {
        var rows: [[String]] = []
        let connected: Bool
        if let graph = self as? Functional {
            connected = !graph.isChain
            rows = graph.summaryRows(connected: connected)
        } else {
            connected = false
            for (layer, shapes) in zip(layers, layerOutputShapes()) {
                rows.append(["\(layer.name) (\(layer.typeName))", shapes.map(formatShapes) ?? "?", paramText(layer)])
            }
        }
        let header = connected ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"]
        let positions = connected ? [0.3, 0.56, 0.74, 1.0] : [0.45, 0.80, 1.0]
        let lineLength = Swift.min(connected ? 108 : 88, terminalColumns - 4)
        let table = SummaryTable(header: header, rightAligned: [false, false, true, false], positions: positions, lineLength: lineLength)
        let all = parameters
        let trainable = all.filter(\.trainable).reduce(0) { $0 + $1.count }
        let frozen = all.filter { !$0.trainable }.reduce(0) { $0 + $1.count }
        var text = "Model: \"\(name)\"\n" + table.render(rows)
        text += " Total params: \(grouped(trainable + frozen)) (\(memorySize(trainable + frozen)))\n"
        text += " Trainable params: \(grouped(trainable)) (\(memorySize(trainable)))\n"
        text += " Non-trainable params: \(grouped(frozen)) (\(memorySize(frozen)))\n"
        return text
    }
}

extension Model {
    /// Each layer's output shapes where known, for a model that is not `Functional`: a
    /// `Sequential` chain's by `outputShape(for:)`, a `LayerShapeReporting` model's as reported.
    func layerOutputShapes() -> [[[Int]]?] {
        var shape: [Int]? = inputShapes.count == 1 ? inputShapes[0] : nil
        let reporter = self as? any LayerShapeReporting
        return layers.map { layer in
            if let r = reporter, let s = r.outputShapes(of: layer) {
                shape = s.count == 1 ? s[0] : nil
                return s
            } else if self is Sequential, let s = shape,
                      let unary = layer as? any UnaryLayer, let out = try? unary.outputShape(for: s) {
                shape = out
                return [out]
            }
            shape = nil
            return nil
        }
    }
}

extension Functional {
    /// A single input feeding a chain of distinct layers, each reading the previous one:
    /// Keras prints such a model without the `Connected to` column.
    var isChain: Bool {
        guard graphInputs.count == 1 else { return false }
        var seen = Set<ObjectIdentifier>()
        for (i, node) in nodes.enumerated() {
            guard node.inputs.count == 1, seen.insert(ObjectIdentifier(node.layer)).inserted else { return false }
            let source = FunctionalPlan.split(node.inputs[0]).0
            guard source == (i == 0 ? graphInputs[0].name : nodes[i - 1].name) else { return false }
        }
        return true
    }

    func summaryRows(connected: Bool) -> [[String]] {
        var rows: [[String]] = graphInputs.map { input in
            ["\(input.name) (InputLayer)", kerasShape(input.shape), "0"] + (connected ? ["-"] : [])
        }
        // Keras's tensor address: layer name, node index (which call), tensor index.
        var address = [String: String]()
        for i in graphInputs { address[i.name] = "\(i.name)[0][0]" }
        for n in nodes { for k in n.outputShapes.indices { address[k == 0 ? n.name : "\(n.name):\(k)"] = "\(n.layer.name)[\(n.callIndex)][\(k)]" } }
        func addressOf(_ ref: String) -> String {
            let (base, k) = FunctionalPlan.split(ref)
            return address[k == 0 ? base : "\(base):\(k)"] ?? ref
        }
        for layer in layers {
            let uses = nodes.filter { $0.layer === layer }
            var row = ["\(layer.name) (\(layer.typeName))", uses.last.map { formatShapes($0.outputShapes) } ?? "?", paramText(layer)]
            if connected {
                let links = uses.flatMap { $0.inputs.map(addressOf) }
                row.append(links.isEmpty ? "-" : links.joined(separator: ", "))
            }
            rows.append(row)
        }
        return rows
    }
}

private func paramText(_ layer: any Layer) -> String { grouped(layer.parameterCount) }

func formatShapes(_ shapes: [[Int]]) -> String {
    shapes.count == 1 ? kerasShape(shapes[0]) : "[" + shapes.map(kerasShape).joined(separator: ", ") + "]"
}

/// 669706 → "669,706".
func grouped(_ n: Int) -> String {
    var digits = String(Swift.abs(n)), out = ""
    while digits.count > 3 { out = "," + digits.suffix(3) + out; digits.removeLast(3) }
    return (n < 0 ? "-" : "") + digits + out
}

/// Keras's `readable_memory_size` for `count` float32 weights: "2.55 MB", "0.00 B".
func memorySize(_ count: Int) -> String {
    var size = Double(count * 4)
    for unit in ["B", "KB", "MB", "GB", "TB"] {
        if size / 1024 < 1 { return twoDecimals(size) + " " + unit }
        size /= 1024
    }
    return twoDecimals(size) + " PB"
}

/// `"{:.2f}".format(x)` (C's `%.2f` rounds the exact binary value the same way).
private func twoDecimals(_ x: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([x]) { vsnprintf(&buffer, 64, "%.2f", $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

import Foundation
import KerasBuilder
import KerasEngine
import KerasSpec
import KerasText

/// How one model output is read, from its loss: classes (argmax over the last axis),
/// independent binary units (threshold 0.5), or plain values (regression).
enum OutputKind: Equatable {
    /// `sparse_categorical_crossentropy`, `categorical_crossentropy`: one class per row of the last axis.
    case categorical(fromLogits: Bool)
    /// `binary_crossentropy`: each unit is class 1 when its probability is > 0.5.
    case binary(fromLogits: Bool)
    /// Any other loss (or none): the output values themselves.
    case values

    init(_ loss: (any Loss)?) {
        switch loss {
        case let l as SparseCategoricalCrossentropy: self = .categorical(fromLogits: l.fromLogits)
        case let l as CategoricalCrossentropy: self = .categorical(fromLogits: l.fromLogits)
        case let l as BinaryCrossentropy: self = .binary(fromLogits: l.fromLogits)
        default: self = .values
        }
    }

    /// The kinds of a stored model's outputs, from its spec's `compile.loss`.
    static func of(spec: Spec, outputs: [String]) throws -> [OutputKind] {
        switch spec.compile.loss {
        case nil: return outputs.map { _ in .values }
        case let .all(o)?:
            let kind = OutputKind(try LossRegistry.table.make(o))
            return outputs.map { _ in kind }
        case let .byOutput(named)?:
            return try outputs.map { name in try named.first { $0.name == name }.map { OutputKind(try LossRegistry.table.make($0.value)) } ?? .values }
        }
    }

    var isClassification: Bool { self != .values }
}

/// Writes predictions, one line per example (README "Predicting"):
///
/// | mode | csv | jsonl |
/// |---|---|---|
/// | classes (default) | `setosa` | `{"class": "setosa"}` |
/// | `--probabilities` | `0.01,0.97,0.02` | `{"class": "versicolor", "probabilities": [0.01, 0.97, 0.02]}` |
/// | `--top-k 2` | `versicolor,0.97,virginica,0.02` | `{"top_k": [{"class": "versicolor", "probability": 0.97}, ...]}` |
/// | regression | `3.25` | `{"values": [3.25]}` |
///
/// A class is its original name when the model was trained on a CSV string column, else
/// its index. With several outputs, csv puts the outputs' fields one after another (in
/// output order) and jsonl nests each output's object under its name. An output whose last
/// axis holds classes at several positions (e.g. per time step) gives one class per
/// position. `from_logits` outputs are turned into probabilities (softmax, sigmoid).
struct PredictionFormat {
    enum Style: String { case csv, jsonl }
    enum Mode: Equatable { case classes, probabilities, topK(Int) }

    let style: Style
    let mode: Mode
    let kinds: [OutputKind]
    let classNames: [[String]?]
    let outputNames: [String]

    /// Appends one line per example of `outputs` (batch first) to `out`.
    func write(_ outputs: [Tensor], into out: inout String) {
        let n = outputs.first?.batchSize ?? 0
        let sizes = outputs.map { $0.count / Swift.max(n, 1) }
        for i in 0..<n {
            var parts: [String] = []
            for (o, t) in outputs.enumerated() {
                let size = sizes[o]
                let values = Array(UnsafeBufferPointer(start: t.pointer + i * size, count: size))
                let last = t.shape.count > 1 ? t.shape.last! : 1
                parts.append(format(values, lastAxis: last, output: o))
            }
            switch style {
            case .csv: out += parts.joined(separator: ",")
            case .jsonl:
                if parts.count == 1 { out += parts[0] } else {
                    out += "{" + zip(outputNames, parts).map { "\(jsonString($0)): \($1)" }.joined(separator: ", ") + "}"
                }
            }
            out += "\n"
        }
    }

    /// One output of one example: csv fields or a JSON object.
    private func format(_ v: [Float], lastAxis: Int, output o: Int) -> String {
        let names = classNames.indices.contains(o) ? classNames[o] : nil
        switch kinds[o] {
        case .values:
            return style == .csv ? v.map(Self.number).joined(separator: ",") : "{\"values\": [\(v.map(Self.jsonNumber).joined(separator: ", "))]}"
        case let .categorical(fromLogits):
            let c = Swift.max(lastAxis, 1)
            let groups = (0..<(v.count / c)).map { g -> [Float] in
                let row = Array(v[(g * c)..<((g + 1) * c)])
                return fromLogits ? Self.softmax(row) : row
            }
            return classes(groups: groups.map { row in row.indices.map { ($0, row[$0]) } },
                           best: groups.map(Self.argmax), all: groups.flatMap { $0 }, names: names)
        case let .binary(fromLogits):
            let probs = fromLogits ? v.map { 1 / (1 + exp(-$0)) } : v
            let best = v.map { fromLogits ? ($0 > 0 ? 1 : 0) : ($0 > 0.5 ? 1 : 0) }
            return classes(groups: probs.map { [(0, 1 - $0), (1, $0)] }, best: best, all: probs, names: names)
        }
    }

    /// A classification output: `groups` holds each position's (class, probability) pairs.
    private func classes(groups: [[(Int, Float)]], best: [Int], all: [Float], names: [String]?) -> String {
        func label(_ k: Int) -> String {
            if let names, names.indices.contains(k) { return style == .csv ? Self.csvField(names[k]) : jsonString(names[k]) }
            return String(k)
        }
        func one(_ xs: [Int]) -> String {
            xs.count == 1 ? label(xs[0]) : "[" + xs.map(label).joined(separator: ", ") + "]"
        }
        switch (mode, style) {
        case (.classes, .csv): return best.map(label).joined(separator: ",")
        case (.classes, .jsonl): return "{\"class\": \(one(best))}"
        case (.probabilities, .csv): return all.map(Self.number).joined(separator: ",")
        case (.probabilities, .jsonl):
            return "{\"class\": \(one(best)), \"probabilities\": [\(all.map(Self.jsonNumber).joined(separator: ", "))]}"
        case let (.topK(k), _):
            let tops = groups.map { g in Array(g.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k)) }
            if style == .csv { return tops.flatMap { $0.map { "\(label($0.0)),\(Self.number($0.1))" } }.joined(separator: ",") }
            let lists = tops.map { t in "[" + t.map { "{\"class\": \(label($0.0)), \"probability\": \(Self.jsonNumber($0.1))}" }.joined(separator: ", ") + "]" }
            return "{\"top_k\": \(lists.count == 1 ? lists[0] : "[" + lists.joined(separator: ", ") + "]")}"
        }
    }

    static func argmax(_ row: [Float]) -> Int {
        var best = 0
        for k in row.indices where row[k] > row[best] { best = k }
        return best
    }

    static func softmax(_ row: [Float]) -> [Float] {
        let m = row.max() ?? 0
        let e = row.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The shortest text that reads back as the same Float.
    static func number(_ v: Float) -> String { "\(v)" }
    static func jsonNumber(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

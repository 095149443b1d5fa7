import Foundation
import KerasEngine

/// `--metrics-out FILE`: one JSON line per epoch
/// `{"epoch", "seconds", "loss", <metric>..., "val_loss", ...}`, then one line with
/// `test_loss` and `test_<metric>`.
final class MetricsWriter: Callback {
    private let handle: FileHandle
    private var start = Date()

    /// `append` continues an existing file (a resumed run).
    init(path: String, append: Bool = false) throws {
        try OutputCheck.file(path, flag: "--metrics-out file")
        let exists = FileManager.default.fileExists(atPath: path)
        if !(append && exists) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw Failure.usage("cannot write --metrics-out file '\(path)'")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw Failure.usage("cannot write --metrics-out file '\(path)'") }
        if append { h.seekToEndOfFile() }
        handle = h
    }

    func onEpochBegin(_ epoch: Int, model: Model) { start = Date() }

    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        var fields: [(String, Any)] = [("epoch", epoch + 1), ("seconds", (Date().timeIntervalSince(start) * 1000).rounded() / 1000)]
        for k in logs.keys { fields.append((k, logs[k] ?? .nan)) }
        write(fields)
    }

    func writeTest(_ logs: Logs) throws {
        write(logs.keys.map { ("test_" + $0, logs[$0] ?? .nan) })
    }

    private func write(_ fields: [(String, Any)]) {
        let body = fields.map { k, v in "\"\(k)\": \(Self.json(v))" }.joined(separator: ", ")
        handle.write(Data("{\(body)}\n".utf8))
    }

    static func json(_ v: Any) -> String {
        switch v {
        case let d as Double: return d.isFinite ? "\(d)" : "null"
        case let i as Int: return "\(i)"
        default: return "\"\(v)\""
        }
    }
}

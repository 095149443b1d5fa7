#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Keras `CSVLogger`: one row per epoch, `epoch` (0-based) first, then the logs' keys
/// sorted (fixed by the first epoch; when no `val_` key is present, a `val_` column for
/// each key is added and filled with `NA`). Python's csv "excel" dialect: `\r\n` line
/// ends, fields quoted when they contain the separator, a quote or a line break. Numbers
/// are written as Python's `repr`. With `append`, rows go after an existing file's and the
/// header is written only if the file is empty.
public final class CSVLogger: Callback {
    public struct Config: Sendable {
        public var filename: String
        public var separator = ","
        public var append = false
        public init(filename: String) { self.filename = filename }
    }

    public let config: Config
    public private(set) var keys: [String]?
    private var file: UnsafeMutablePointer<FILE>?
    private var writeHeader = true
    private var openError: Error?

    public init(_ config: Config) throws {
        guard config.separator.count == 1 else {
            throw CallbackError.invalidArgument(callback: "CSVLogger", message: "separator must be a 1-character string, got \"\(config.separator)\"")
        }
        self.config = config
    }

    /// Keras's argument list.
    public convenience init(filename: String, separator: String = ",", append: Bool = false) throws {
        var c = Config(filename: filename)
        c.separator = separator; c.append = append
        try self.init(c)
    }

    deinit { if let file { fclose(file) } }

    public func onTrainBegin(model: Model) {
        if let file { fclose(file); self.file = nil }
        keys = nil
        openError = nil
        writeHeader = true
        if config.append, let f = fopen(config.filename, "r") {
            writeHeader = fgetc(f) == EOF
            fclose(f)
        }
        do { try OutputPath.prepareFile(config.filename) } catch { openError = error; return }
        file = fopen(config.filename, config.append ? "a" : "w")
        if file == nil { openError = PersistenceError.errno("open", config.filename) }
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Model) throws {
        if let openError { throw openError }
        guard let file else { return }
        if keys == nil {
            var k = logs.keys
            if !k.isEmpty && !k.contains(where: { $0.hasPrefix("val_") }) { k += k.map { "val_" + $0 } }
            keys = k
        }
        var text = ""
        if writeHeader { text += row(["epoch"] + keys!); writeHeader = false }
        text += row([String(epoch)] + keys!.map { logs[$0].map(PythonFormat.repr) ?? "NA" })
        let ok = text.withCString { fputs($0, file) } >= 0 && fflush(file) == 0
        if !ok { throw PersistenceError.errno("write", config.filename) }
    }

    public func onTrainEnd(model: Model, logs: Logs) {
        if let file { fclose(file); self.file = nil }
    }

    /// One CSV line in Python's excel dialect.
    private func row(_ fields: [String]) -> String {
        let sep = config.separator
        return fields.map { f in
            guard f.contains(sep) || f.contains("\"") || f.contains("\n") || f.contains("\r") else { return f }
            return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: sep) + "\r\n"
    }
}

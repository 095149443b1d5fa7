import Foundation

/// Loads YAML text into a tree of ``Node``s, with limits and checks for hostile input.
///
/// Loading rejects: a missing or unreadable file, a file over ``YAMLLimits/maxBytes``, an
/// empty file or document, a binary file (NUL bytes or invalid UTF-8), more than one
/// document, duplicate keys in a mapping, merge keys, unknown tags, nesting deeper than
/// ``YAMLLimits/maxDepth`` and documents that expand (through aliases) to more than
/// ``YAMLLimits/maxNodes`` nodes. Every rejection is a located ``SpecError``.
public enum YAML {
    /// Reads and parses the file at `path`; marks name the file as `path` was written.
    public static func load(path: String, limits: YAMLLimits = .standard) throws(SpecError) -> Node {
        let bytes = try read(path: path, limit: limits.maxBytes, language: limits.language)
        return try parse(bytes: bytes, file: path, limits: limits)
    }

    /// Parses YAML text; `file` names it in marks and errors.
    public static func parse(text: String, file: String, limits: YAMLLimits = .standard) throws(SpecError) -> Node {
        try parse(bytes: Array(text.utf8), file: file, limits: limits)
    }

    /// Parses YAML bytes; `file` names them in marks and errors.
    public static func parse(bytes: [UInt8], file: String, limits: YAMLLimits = .standard) throws(SpecError) -> Node {
        if bytes.count > limits.maxBytes {
            throw SpecError(file: file, message: "file is too large (\(bytes.count) bytes, the limit is \(limits.maxBytes))")
        }
        try checkText(bytes, file: file, language: limits.language)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw SpecError(file: file, message: "file is empty, expected \(limits.expectedDocument)")
        }
        let parser = EventParser(bytes: bytes, file: file, limits: limits)
        return try parser.run()
    }

    /// Reads at most `limit` bytes, failing cleanly on a missing file, a folder or a large file.
    static func read(path: String, limit: Int, language: String = "YAML") throws(SpecError) -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw SpecError(file: path, message: "cannot read file: no such file")
        }
        if isFolder.boolValue {
            throw SpecError(file: path, message: "cannot read file: it is a folder, expected a \(language) file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpecError(file: path, message: "cannot read file: permission denied or unreadable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw SpecError(file: path, message: "cannot read file: \(error.localizedDescription)")
        }
        if data.count > limit {
            throw SpecError(file: path, message: "file is too large (over \(limit) bytes)")
        }
        return [UInt8](data)
    }

    /// Rejects NUL bytes and invalid UTF-8, locating the first bad byte.
    static func checkText(_ bytes: [UInt8], file: String, language: String = "YAML") throws(SpecError) {
        if let nul = bytes.firstIndex(of: 0) {
            let mark = markOf(offset: nul, in: bytes, file: file)
            throw SpecError("binary file (NUL byte), expected \(language) text", at: mark)
        }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: break loop
            case .error(let length):
                let mark = markOf(offset: offset, in: bytes, file: file)
                _ = length
                throw SpecError("binary file (invalid UTF-8), expected \(language) text", at: mark)
            }
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    static func markOf(offset: Int, in bytes: [UInt8], file: String) -> Mark {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        let prefix = bytes[lineStart..<min(offset, bytes.count)]
        let column = 1 + prefix.filter { $0 & 0xC0 != 0x80 }.count
        return Mark(file: file, line: line, column: column)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KerasText

/// The safetensors format (huggingface/safetensors) for named Float32 tensors:
///
///     [8 bytes: N, little-endian UInt64][N bytes: JSON header, space-padded][tensor bytes]
///
/// The header maps each name to `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`
/// (offsets relative to the end of the header) plus an optional `"__metadata__"` string map.
/// Tensors are written in the order given, back to back, little-endian. The reader checks the
/// header against the file's real size before allocating anything and accepts only F32.
public enum Safetensors {
    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderSize = 100_000_000

    // MARK: Writing

    /// The file's bytes for `tensors` (order kept) and optional `metadata` (written in key order).
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String]? = nil) throws -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in tensors where !seen.insert(name).inserted || name == "__metadata__" {
            throw PersistenceError.incompatibleState("safetensors: tensor name '\(name)' is used twice or reserved")
        }
        var header = "{"
        var parts: [String] = []
        if let metadata {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var head = Array(header.utf8)
        while (8 + head.count) % 8 != 0 { head.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + head.count + offset)
        var n = UInt64(head.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: head)
        for (_, t) in tensors {
            t.withData { buf in
                #if _endian(big)
                for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                #else
                out.append(contentsOf: UnsafeRawBufferPointer(buf))
                #endif
            }
        }
        return out
    }

    /// Writes `tensors` to `path` atomically (see `AtomicFile`).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String]? = nil, to path: String) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: path)
    }

    // MARK: Reading

    /// What a safetensors file holds: the tensors in file order and the metadata.
    public struct Contents {
        public var tensors: [(String, Tensor)]
        public var metadata: [String: String]
        /// The tensors by name.
        public var dictionary: [String: Tensor] { Dictionary(tensors, uniquingKeysWith: { a, _ in a }) }
    }

    /// Reads the file at `path`. `check`, when given, sees every tensor's name and shape
    /// once the header is validated and before any tensor data is read (e.g. to compare
    /// them with a model's parameters).
    public static func read(_ path: String, check: (([(name: String, shape: [Int])]) throws -> Void)? = nil) throws -> Contents {
        let (fd, size) = try AtomicFile.openRegularFile(path)
        defer { close(fd) }
        return try decode(size: size, path: path, check: check) { offset, count, dest in
            var done = 0
            while done < count {
                let n = pread(fd, dest + done, count - done, off_t(offset + done))
                if n < 0 { if errno == EINTR { continue }; throw PersistenceError.errno("read", path) }
                if n == 0 { throw PersistenceError.corrupt(path: path, reason: "the file ended early (truncated while reading)") }
                done += n
            }
        }
    }

    /// Decodes a whole file held in memory; `path` only names it in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> Contents {
        try bytes.withUnsafeBytes { buf in
            try decode(size: buf.count, path: path) { offset, count, dest in
                dest.copyMemory(from: buf.baseAddress! + offset, byteCount: count)
            }
        }
    }

    /// Validates the header against `size`, then reads each tensor with `readAt(offset, count, destination)`.
    private static func decode(size: Int, path: String, check: (([(name: String, shape: [Int])]) throws -> Void)? = nil,
                               readAt: (Int, Int, UnsafeMutableRawPointer) throws -> Void) throws -> Contents {
        func corrupt(_ reason: String) -> PersistenceError { .corrupt(path: path, reason: reason) }
        guard size >= 8 else { throw corrupt("the file is \(size) bytes, too short for the 8-byte header length") }
        var lenBytes = [UInt8](repeating: 0, count: 8)
        try lenBytes.withUnsafeMutableBytes { try readAt(0, 8, $0.baseAddress!) }
        let n = lenBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(size - 8) else { throw corrupt("the header length \(n) exceeds the \(size - 8) bytes after it (truncated?)") }
        guard n <= UInt64(maxHeaderSize) else { throw corrupt("the header length \(n) exceeds the limit of \(maxHeaderSize) bytes") }
        let headerSize = Int(n)
        var head = [UInt8](repeating: 0, count: headerSize)
        if headerSize > 0 { try head.withUnsafeMutableBytes { try readAt(8, headerSize, $0.baseAddress!) } }
        guard head.first == UInt8(ascii: "{") else { throw corrupt("the header is not a JSON object") }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(head)) } catch { throw corrupt("the header is not valid JSON") }
        guard let root = json as? [String: Any] else { throw corrupt("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        struct Entry { var name: String; var shape: [Int]; var begin: Int; var end: Int }
        var entries: [Entry] = []
        for (name, value) in root {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw corrupt("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw corrupt("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw corrupt("the entry for '\(name)' is not an object") }
            guard let dtype = info["dtype"] as? String else { throw corrupt("tensor '\(name)' has no dtype") }
            guard dtype == "F32" else { throw PersistenceError.unsupportedDType(path: path, tensor: name, dtype: dtype) }
            guard let shapeAny = info["shape"] as? [Any] else { throw corrupt("tensor '\(name)' has no shape list") }
            var shape: [Int] = []
            var count = 1
            for d in shapeAny {
                guard let d = integer(d), d >= 0 else { throw corrupt("tensor '\(name)' has a bad dimension in its shape") }
                shape.append(d)
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o, p <= size else { throw corrupt("tensor '\(name)' has shape \(shapeAny), larger than the file") }
                count = p
            }
            guard let offs = info["data_offsets"] as? [Any], offs.count == 2,
                  let begin = integer(offs[0]), let end = integer(offs[1]), begin >= 0, begin <= end else {
                throw corrupt("tensor '\(name)' has bad data_offsets (expected [begin, end] with 0 ≤ begin ≤ end)")
            }
            guard end - begin == count * 4 else {
                throw corrupt("tensor '\(name)' spans \(end - begin) bytes but shape \(shape) of F32 needs \(count * 4)")
            }
            entries.append(Entry(name: name, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        let dataSize = size - 8 - headerSize
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw corrupt(e.begin < expected ? "tensor '\(e.name)' overlaps the tensor before it"
                                                 : "there is a gap of \(e.begin - expected) bytes before tensor '\(e.name)'")
            }
            expected = e.end
        }
        guard expected == dataSize else {
            throw corrupt(expected > dataSize ? "the tensors need \(expected) data bytes but the file has \(dataSize) (truncated?)"
                                              : "the file has \(dataSize - expected) bytes after the last tensor")
        }
        try check?(entries.map { ($0.name, $0.shape) })
        let start = 8 + headerSize
        var tensors: [(String, Tensor)] = []
        tensors.reserveCapacity(entries.count)
        for e in entries {
            let t = Tensor(uninitializedShape: e.shape)
            if e.end > e.begin { try readAt(start + e.begin, e.end - e.begin, UnsafeMutableRawPointer(t.freshPointer)) }
            #if _endian(big)
            for i in 0..<t.count { t.freshPointer[i] = Float(bitPattern: UInt32(littleEndian: t.freshPointer[i].bitPattern)) }
            #endif
            tensors.append((e.name, t))
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// A non-negative JSON integer (not a bool, not a fraction).
    private static func integer(_ v: Any) -> Int? {
        if v is Bool, let n = v as? NSNumber, String(cString: n.objCType) == "c" { return nil }
        if let i = v as? Int { return i }
        if let d = v as? Double, d.rounded() == d, Swift.abs(d) < 9e15 { return Int(d) }
        return nil
    }
}

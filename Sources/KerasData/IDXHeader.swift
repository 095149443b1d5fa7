/// The element type of an IDX file, named by its type code (third magic byte).
public enum IDXType: UInt8, CaseIterable, Sendable, Codable {
    case uint8 = 0x08
    case int8 = 0x09
    case int16 = 0x0B
    case int32 = 0x0C
    case float32 = 0x0D
    case float64 = 0x0E

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// The name used by the IDX format description (`ubyte`, `byte`, `short`, ...).
    public var name: String {
        switch self {
        case .uint8: return "ubyte"
        case .int8: return "byte"
        case .int16: return "short"
        case .int32: return "int"
        case .float32: return "float"
        case .float64: return "double"
        }
    }

    /// Converts `count` big-endian elements at `src` to Float at `dst`.
    func convert(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        switch self {
        case .uint8:
            let p = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .int8:
            let p = src.assumingMemoryBound(to: Int8.self)
            for i in 0..<count { dst[i] = Float(p[i]) }
        case .int16:
            for i in 0..<count {
                dst[i] = Float(Int16(bitPattern: UInt16(bigEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .int32:
            for i in 0..<count {
                dst[i] = Float(Int32(bitPattern: UInt32(bigEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
            }
        case .float32:
            for i in 0..<count {
                dst[i] = Float(bitPattern: UInt32(bigEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .float64:
            for i in 0..<count {
                dst[i] = Float(Double(bitPattern: UInt64(bigEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        }
    }
}

/// The header of an IDX file: magic `00 00 type rank`, then `rank` big-endian UInt32 sizes.
public struct IDXHeader: Equatable, Sendable {
    /// The element type.
    public var type: IDXType
    /// The full shape; the first dimension counts examples.
    public var shape: [Int]

    /// Bytes taken by the header itself.
    public var headerByteCount: Int { 4 + 4 * shape.count }
    /// Number of examples (the first dimension).
    public var count: Int { shape[0] }
    /// The shape of one example.
    public var exampleShape: [Int] { Array(shape.dropFirst()) }
    /// Elements per example (checked against overflow when the header was read).
    public var exampleSize: Int { exampleShape.reduce(1, *) }
    /// Elements in the whole file.
    public var elementCount: Int { count * exampleSize }
    /// Bytes of data after the header.
    public var dataByteCount: Int { elementCount * type.byteWidth }

    /// A readable summary used in error messages, e.g. `shape [60000, 28, 28] of ubyte`.
    var summary: String { "shape \(shape) of \(type.name) (\(dataByteCount) data bytes)" }

    /// Reads and validates a header from the start of `source`.
    ///
    /// Rejects an empty file, a short header, bad magic bytes, an unknown type code, rank 0,
    /// and a shape whose byte size overflows `Int` or exceeds `limit`.
    static func read(from source: ByteSource, limit: Int) throws -> IDXHeader {
        var magic = [UInt8](repeating: 0, count: 4)
        let got = try magic.withUnsafeMutableBytes { try source.read(into: $0) }
        if got == 0 { throw DataError(file: source.name, "empty file, expected an IDX header") }
        if got < 4 { throw DataError(file: source.name, "truncated IDX header: the file has only \(got) bytes") }
        let hex = magic.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        if magic[0] != 0 || magic[1] != 0 {
            let gz = magic[0] == 0x1f && magic[1] == 0x8b ? " (gzip inside gzip?)" : ""
            throw DataError(file: source.name, "not an IDX file: magic bytes are \(hex), expected 00 00 <type> <rank>\(gz)")
        }
        guard let type = IDXType(rawValue: magic[2]) else {
            throw DataError(file: source.name, "unknown IDX type code 0x\(hex.split(separator: " ")[2]); expected 08 (ubyte), 09 (byte), 0b (short), 0c (int), 0d (float) or 0e (double)")
        }
        let rank = Int(magic[3])
        if rank == 0 { throw DataError(file: source.name, "IDX rank is 0: there is no examples dimension") }
        var dims = [UInt8](repeating: 0, count: 4 * rank)
        let gotDims = try dims.withUnsafeMutableBytes { try source.read(into: $0) }
        if gotDims < 4 * rank {
            throw DataError(file: source.name, "truncated IDX header: rank \(rank) needs \(4 + 4 * rank) header bytes, the file has \(4 + gotDims)")
        }
        var shape: [Int] = []
        for d in 0..<rank {
            var size = 0
            for k in 0..<4 { size = size << 8 | Int(dims[4 * d + k]) }
            shape.append(size)
        }
        if shape.dropFirst().contains(0) {
            throw DataError(file: source.name, "IDX header shape \(shape) has an empty dimension: every size after the first (examples) must be positive")
        }
        // The byte size of one example and of the whole file, both overflow-checked: with
        // an examples dimension of 0 the file is empty but an example's size may still
        // overflow (found by FuzzIDX).
        var exampleBytes = type.byteWidth
        for size in shape.dropFirst() {
            let (product, overflow) = exampleBytes.multipliedReportingOverflow(by: size)
            if overflow {
                throw DataError(file: source.name, "IDX header shape \(shape) of \(type.name) overflows: its byte size does not fit in 64 bits")
            }
            exampleBytes = product
        }
        let (bytes, overflow) = exampleBytes.multipliedReportingOverflow(by: shape[0])
        if overflow {
            throw DataError(file: source.name, "IDX header shape \(shape) of \(type.name) overflows: its byte size does not fit in 64 bits")
        }
        let header = IDXHeader(type: type, shape: shape)
        if bytes > limit {
            throw DataError(file: source.name, "IDX header claims \(header.summary), more than the \(limit >> 30) GiB limit")
        }
        return header
    }
}

/// Reads IDX files (the MNIST format): any type code, any rank, plain or gzip.
///
/// The header is checked against the real data before anything large is allocated: for a
/// plain file against its size on disk; for gzip the stream is decompressed in 1 MiB
/// chunks into a buffer that grows only as data arrives (capped at ``maxDataBytes``),
/// and the decoded length must then equal the header's claim exactly.
public enum IDXReader {
    /// The largest data size a header may claim (4 GiB): stops zip bombs and absurd headers.
    public static let maxDataBytes = 4 << 30
    /// How much is reserved up front for a gzip file, before its data has arrived.
    static let initialReserveBytes = 64 << 20
    static let chunkBytes = 1 << 20

    /// Reads a whole IDX file. `ubyte` data stays bytes; other types become Float.
    public static func read(_ path: String) throws -> DataArray {
        let source = try ByteSource(path: path)
        let header = try openHeader(source)
        let storage = try readElements(source, header: header, elements: header.elementCount, bytesBefore: 0)
        try expectEnd(source, header: header)
        return DataArray(storage: storage, shape: header.shape, exampleSize: header.exampleSize, rowOffset: 0)
    }

    /// Reads a label file: an IDX file of rank 1.
    public static func readLabels(_ path: String) throws -> DataArray {
        let labels = try read(path)
        if labels.shape.count != 1 {
            throw DataError(file: ByteSource.displayName(path), "labels must be an IDX file of rank 1, got shape \(labels.shape)")
        }
        return labels
    }

    /// Reads and checks only the header; for a plain file it is also checked against the
    /// file's size (a gzip file's length is checked only by reading it).
    public static func readHeader(_ path: String) throws -> IDXHeader {
        try openHeader(ByteSource(path: path))
    }

    /// Reads the header of `source` and, for a plain file, checks the file size.
    static func openHeader(_ source: ByteSource) throws -> IDXHeader {
        let header = try IDXHeader.read(from: source, limit: maxDataBytes)
        if let size = source.fileSize, !source.isGzip {
            let expected = header.headerByteCount + header.dataByteCount
            if size < expected {
                throw DataError(file: source.name, "truncated: the header claims \(header.summary), so \(expected) bytes in all, but the file has \(size)")
            }
            if size > expected {
                throw DataError(file: source.name, "trailing data: the header claims \(header.summary), so \(expected) bytes in all, but the file has \(size)")
            }
        }
        return header
    }

    /// Reads exactly `elements` elements, converting to Float unless the type is `ubyte`.
    /// `bytesBefore` counts data bytes already consumed (for the truncation message).
    static func readElements(_ source: ByteSource, header: IDXHeader, elements: Int, bytesBefore: Int) throws -> DataArray.Storage {
        let width = header.type.byteWidth
        let total = elements * width
        let reserve = source.isGzip || source.fileSize == nil ? min(total, initialReserveBytes) : total
        var chunk = [UInt8](repeating: 0, count: min(chunkBytes, max(total, 1)))
        var done = 0
        var bytes: [UInt8] = []
        var floats: [Float] = []
        if header.type == .uint8 { bytes.reserveCapacity(reserve) } else { floats.reserveCapacity(reserve / width) }
        while done < total {
            let want = min(chunk.count, total - done)
            let got = try chunk.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            let whole = got / width
            if header.type == .uint8 {
                bytes.append(contentsOf: chunk[0..<got])
            } else if whole > 0 {
                chunk.withUnsafeBytes { src in
                    let start = floats.count
                    floats.append(contentsOf: repeatElement(0, count: whole))
                    floats.withUnsafeMutableBufferPointer { dst in
                        if let s = src.baseAddress, let d = dst.baseAddress { header.type.convert(s, count: whole, into: d + start) }
                    }
                }
            }
            done += got
            if got < want {
                let claimed = header.headerByteCount + header.dataByteCount
                let actual = header.headerByteCount + bytesBefore + done
                let what = source.isGzip ? "the decompressed data has" : "the data ends after"
                throw DataError(file: source.name, "truncated: the header claims \(header.summary), so \(claimed) bytes in all, but \(what) \(actual)")
            }
        }
        return header.type == .uint8 ? .bytes(bytes) : .floats(floats)
    }

    /// Throws unless the data ended exactly where the header said.
    static func expectEnd(_ source: ByteSource, header: IDXHeader) throws {
        var extra = [UInt8](repeating: 0, count: 1)
        if try extra.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {
            let claimed = header.headerByteCount + header.dataByteCount
            let what = source.isGzip ? "the decompressed data is longer" : "the file is longer"
            throw DataError(file: source.name, "trailing data: the header claims \(header.summary), so \(claimed) bytes in all, but \(what)")
        }
    }
}

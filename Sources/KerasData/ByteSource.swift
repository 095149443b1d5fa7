import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential reader over a plain file, a gzip file, or standard input (`-`).
///
/// Gzip is detected by its magic bytes `1f 8b`, never by the file name; zlib's `gzread`
/// decompresses (or copies, for a plain file) in large chunks and checks each member's CRC.
/// Every failure is a ``DataError`` naming the file.
final class ByteSource {
    /// The name used in errors: the path as given, or `<stdin>`.
    let name: String
    /// Whether the content starts with the gzip magic bytes (false for stdin: unknown).
    let isGzip: Bool
    /// The on-disk size for a regular file, nil for stdin or pipes.
    let fileSize: Int?
    private let file: gzFile

    /// Opens `path`; `-` means standard input.
    init(path: String) throws {
        let fd: Int32
        name = ByteSource.displayName(path)
        fd = path == "-" ? dup(0) : open(path, O_RDONLY)
        if fd < 0 { throw DataError(file: name, ByteSource.systemMessage(errno)) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let code = errno
            close(fd)
            throw DataError(file: name, ByteSource.systemMessage(code))
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            close(fd)
            throw DataError(file: name, "is a directory, expected a data file")
        }
        var magic: (UInt8, UInt8) = (0, 0)
        if kind == S_IFREG {
            fileSize = Int(info.st_size)
            let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
            isGzip = n == 2 && magic.0 == 0x1f && magic.1 == 0x8b
        } else {
            fileSize = nil
            isGzip = false
        }
        guard let handle = gzdopen(fd, "rb") else {
            close(fd)
            throw DataError(file: name, "cannot open: out of memory")
        }
        file = handle
        gzbuffer(file, 1 << 18)
    }

    deinit { gzclose(file) }

    /// Reads up to `count` bytes into `buffer`, returning fewer only at the end of the data.
    /// A corrupt or truncated gzip stream throws.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let count = buffer.count
        var total = 0
        while total < count {
            let want = UInt32(min(count - total, 1 << 30))
            let n = gzread(file, base + total, want)
            if n < 0 { throw gzipError() }
            if n == 0 { break }
            total += Int(n)
        }
        if total < count { try checkCleanEnd() }
        return total
    }

    /// Throws if the stream ended because of corrupt or truncated gzip data.
    private func checkCleanEnd() throws {
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK { throw gzipError() }
    }

    private func gzipError() -> DataError {
        var code: Int32 = 0
        var text = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
        // zlib prefixes the message with its name for the descriptor, "<fd:3>: ".
        if text.hasPrefix("<fd:"), let rest = text.split(separator: ": ", maxSplits: 1).last {
            text = String(rest)
        }
        if code == Z_ERRNO { return DataError(file: name, ByteSource.systemMessage(errno)) }
        if code == Z_BUF_ERROR { return DataError(file: name, "truncated gzip data (\(text))") }
        if code == Z_MEM_ERROR { return DataError(file: name, "out of memory while decompressing") }
        return DataError(file: name, "corrupt gzip data (\(text))")
    }

    /// The name errors use for `path`.
    static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    static func systemMessage(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory, expected a data file"
        default: return String(cString: strerror(code))
        }
    }
}

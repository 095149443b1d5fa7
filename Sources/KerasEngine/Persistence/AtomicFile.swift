#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Crash-safe file replacement: the bytes go to a temporary file in the target's folder,
/// which is flushed to disk (`fsync`) and renamed over the target; then the folder is
/// flushed so the rename itself is durable. A reader sees the old file or the new one,
/// never a torn mixture, and a failed write leaves the old file untouched. Missing parent
/// folders are created first.
public enum AtomicFile {
    /// Writes `data` to `path` atomically. Throws `PersistenceError.io` naming the step that failed.
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write(UnsafeRawBufferPointer($0), to: path) }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes the raw bytes to `path` atomically.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let folder = directory(of: path)
        try OutputPath.prepareFolder(folder)
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard !base.isEmpty else { throw PersistenceError.io(operation: "write", path: path, reason: "the path names a folder") }
        var template = Array("\(folder)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw PersistenceError.errno("create a temporary file in", folder) }
        let tmp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer { if !renamed { unlink(tmp) } }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PersistenceError.errno("write", path)
                }
                offset += n
            }
            // mkstemp creates 0600; give the file the usual permissions.
            _ = fchmod(fd, 0o644)
            guard fsync(fd) == 0 else { throw PersistenceError.errno("flush (fsync)", path) }
        }
        guard rename(tmp, path) == 0 else { throw PersistenceError.errno("replace", path) }
        renamed = true
        let dfd = open(folder, O_RDONLY | O_DIRECTORY)
        guard dfd >= 0 else { throw PersistenceError.errno("open the folder of", path) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw PersistenceError.errno("flush (fsync) the folder of", path) }
    }

    /// Opens `path` for reading and checks it is a regular file: its descriptor (the
    /// caller closes it) and size.
    static func openRegularFile(_ path: String) throws -> (fd: Int32, size: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PersistenceError.errno("open", path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw PersistenceError.errno("stat", path) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw PersistenceError.io(operation: "read", path: path, reason: "not a regular file")
        }
        return (fd, Int(st.st_size))
    }

    /// Reads a whole file, throwing `PersistenceError.io` when it cannot.
    public static func read(_ path: String) throws -> [UInt8] {
        let (fd, size) = try openRegularFile(path)
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: size)
        var offset = 0
        try out.withUnsafeMutableBytes { buf in
            while offset < size {
                let n = Glibc.read(fd, buf.baseAddress! + offset, size - offset)
                if n < 0 { if errno == EINTR { continue }; throw PersistenceError.errno("read", path) }
                if n == 0 { break }
                offset += n
            }
        }
        if offset < size { out.removeLast(size - offset) }
        return out
    }

    /// The folder holding `path` ("." for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }
}

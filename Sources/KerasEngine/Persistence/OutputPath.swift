#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where kerasctl writes: every output path's missing parent folders are created first
/// (`mkdir -p`), and a folder that cannot be created or written in is one
/// `PersistenceError.io` naming it, before any byte is written.
public enum OutputPath {
    /// Creates the folder that will hold the file `path` and checks that it is writable.
    public static func prepareFile(_ path: String) throws {
        try prepareFolder(AtomicFile.directory(of: path))
    }

    /// Creates `folder` (and its parents) when missing and checks that it is a writable folder.
    /// The error names the first part of the path that could not be made a folder.
    public static func prepareFolder(_ folder: String) throws {
        var prefix = folder.hasPrefix("/") ? "/" : ""
        for part in folder.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, 0o755) == 0 { continue }
            let code = errno
            var st = stat()
            if stat(prefix, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw PersistenceError.io(operation: "create the folder", path: prefix, reason: "a file of that name exists")
                }
                continue
            }
            throw PersistenceError.errno("create the folder", prefix, code)
        }
        guard access(folder, W_OK) == 0 else { throw PersistenceError.errno("write in the folder", folder) }
    }
}

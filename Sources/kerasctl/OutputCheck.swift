import KerasEngine

/// Checks an output path the user named before any work starts: its missing parent folders
/// are created, and a location that cannot be written is a usage error (exit 2), one line.
enum OutputCheck {
    static func file(_ path: String, flag: String) throws {
        do { try OutputPath.prepareFile(path) } catch let e as PersistenceError {
            throw Failure.usage("cannot write \(flag) '\(path)': \(e)")
        }
    }

    static func folder(_ path: String, flag: String) throws {
        do { try OutputPath.prepareFolder(path) } catch let e as PersistenceError {
            throw Failure.usage("cannot write \(flag) '\(path)': \(e)")
        }
    }
}

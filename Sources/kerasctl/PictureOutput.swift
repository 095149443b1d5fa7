import KerasEngine
import KerasPlot

/// Where a picture goes (`plot`, `plot-model`, `evaluate --confusion-matrix -o`): the
/// format comes from the file's extension, checked with the path before any work starts.
enum PictureOutput {
    /// The format of `path` (.png or .svg); another extension is a usage error (exit 2), as is
    /// a location that cannot be written. Missing parent folders are created.
    static func check(_ path: String, flag: String) throws -> PictureFormat {
        guard let format = PictureFormat(path: path) else {
            throw Failure.usage("\(flag) '\(path)': unknown picture format; name a .png or .svg file")
        }
        try OutputCheck.file(path, flag: "\(flag) file")
        return format
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try AtomicFile.write(bytes, to: path)
    }

    /// Runs a drawing; a picture that cannot be made is a runtime failure (exit 1).
    static func draw(_ body: () throws -> [UInt8]) throws -> [UInt8] {
        do { return try body() } catch let e as PlotError { throw Failure.runtime(e.description) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KerasEngine
import SwiftProtobuf

/// One TensorBoard event file, `DIR/events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2` as
/// TensorFlow 2's `tf.summary.create_file_writer` names it: a first event carrying
/// `file_version: "brain.Event:2"`, then one TFRecord per `Event`. `flush` makes what was
/// written visible to a TensorBoard reading the folder while training runs.
final class EventFileWriter {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private static let counter = Counter()

    init(folder: String) throws {
        try OutputPath.prepareFolder(folder)
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName
        path = "\(folder)/events.out.tfevents.\(Int(now)).\(host).\(getpid()).\(Self.counter.next()).v2"
        file = fopen(path, "w")
        if file == nil { throw Self.failure("open", path) }
        var first = Tensorboard_Event()
        first.wallTime = now
        first.fileVersion = "brain.Event:2"
        first.sourceMetadata.writer = "kerasctl"
        try write(first)
        try flush()
    }

    deinit { close() }

    func write(_ event: Tensorboard_Event) throws {
        guard let file else { throw Self.failure("write", path, EBADF) }
        let record = TFRecord.frame(Array(try event.serializedBytes() as [UInt8]))
        let n = record.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if n != record.count { throw Self.failure("write", path) }
    }

    func flush() throws {
        guard let file else { return }
        if fflush(file) != 0 { throw Self.failure("write", path) }
    }

    func close() {
        if let file { fclose(file); self.file = nil }
    }

    private static func failure(_ op: String, _ path: String, _ code: Int32 = errno) -> PersistenceError {
        .io(operation: op, path: path, reason: String(cString: strerror(code)))
    }

    /// The file-name suffix TensorFlow keeps per process, so two writers never collide.
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
    }
}

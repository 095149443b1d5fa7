#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KerasEngine

/// Runs libhdf5 on a file from outside in a child process with limits.
///
/// libhdf5 trusts the files it reads: on a corrupt one it can loop forever (a damaged
/// global heap while reading a string attribute) or dereference NULL (`H5Gget_info` on a
/// damaged object header). Neither can be caught in-process, so every read of an HDF5
/// file from outside runs in a forked child with a CPU-time limit (`RLIMIT_CPU`), an
/// address-space limit (`RLIMIT_AS`) and a wall-clock deadline. The child returns a short
/// message through a pipe and bulk data (weights) through a shared mapping the parent
/// sized beforehand from the built model's shapes; a child that crashes, spins or runs
/// out of memory is one line, "corrupt HDF5 file", exit 3.
///
/// Measured on the shared 2-core build machine (release build, load 8–9): the child's
/// whole life (fork, libhdf5 open and read, exit) is about 7 ms for a 30 KB weights file
/// (strace); end to end, `export` of a 32 MB `.keras` (8.2 M parameters) took 0.52 s
/// against 0.50 s in-process (best of 5), within the machine's noise. The alternative,
/// validating the HDF5 structure ourselves before libhdf5 sees it, would mean a second
/// HDF5 parser (B-trees, heaps, object headers) and still trust libhdf5 afterwards.
enum HDF5Sandbox {
    /// CPU seconds a child may use: 5 s plus 1 s per 32 MiB of file.
    static func cpuSeconds(fileBytes: Int) -> Int { 5 + fileBytes / (32 << 20) }

    /// Runs `body` in a child. `sharedBytes` of zeroed memory shared with the child are
    /// passed to `body` and, after a successful run, to `finish`. `body` returns the
    /// message for the parent or throws a `KerasFileError` (its message travels back).
    static func run<R>(file: String, fileBytes: Int, sharedBytes: Int, cpuLimit: Int? = nil,
                       body: (UnsafeMutableRawBufferPointer) throws(KerasFileError) -> [UInt8],
                       finish: ([UInt8], UnsafeRawBufferPointer) throws(KerasFileError) -> R) throws(KerasFileError) -> R {
        let sharedSize = max(sharedBytes, 1)
        guard let shared = mmap(nil, sharedSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), shared != MAP_FAILED else {
            throw KerasFileError(file: file, "cannot map \(sharedSize) bytes for the weights")
        }
        defer { munmap(shared, sharedSize) }
        let buffer = UnsafeMutableRawBufferPointer(start: shared, count: sharedBytes)

        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw KerasFileError(file: file, "cannot create a pipe to read the HDF5 file") }
        let cpu = cpuLimit ?? cpuSeconds(fileBytes: fileBytes)
        // Address space: what the process has now, plus room for libhdf5's copy of the file,
        // its caches, and the message.
        let extra = (ShapeArithmetic.product(fileBytes, 3) ?? Int.max / 4) + (1 << 30)
        let addressLimit = ShapeArithmetic.sum(currentAddressSpace(), extra) ?? Int.max
        let pid = fork()
        if pid < 0 {
            close(fds[0]); close(fds[1])
            throw KerasFileError(file: file, "cannot start a process to read the HDF5 file")
        }
        if pid == 0 {
            // The child: limits, the work, the answer, and out (no atexit handlers, no flush
            // of the parent's buffered output).
            close(fds[0])
            // A crash in libhdf5 must end the child by its signal (the parent reports it),
            // not in handlers inherited from the parent.
            for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGXCPU] { signal(s, SIG_DFL) }
            // Ctrl-C ends the child too: kerasctl takes SIGINT on a thread of its own and
            // blocks it in the others, the forking one included (see kerasctl's InterruptSignal).
            signal(SIGINT, SIG_DFL)
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            var cpuRlimit = rlimit(rlim_cur: rlim_t(cpu), rlim_max: rlim_t(cpu + 1))
            setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &cpuRlimit)
            if addressLimit < Int.max / 2 {
                var asLimit = rlimit(rlim_cur: rlim_t(addressLimit), rlim_max: rlim_t(addressLimit))
                setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &asLimit)
            }
            var message: [UInt8]
            do throws(KerasFileError) {
                message = [0] + (try body(buffer))
            } catch {
                message = [1] + Array(error.message.utf8)
            }
            var sent = 0
            message.withUnsafeBytes { raw in
                while sent < raw.count {
                    let n = write(fds[1], raw.baseAddress! + sent, raw.count - sent)
                    if n <= 0 { break }
                    sent += n
                }
            }
            _exit(sent == message.count ? 0 : 2)
        }
        close(fds[1])
        defer { close(fds[0]) }
        let deadline = monotonicSeconds() + Double(2 * cpu + 5)
        var message: [UInt8] = []
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        reading: while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 { timedOut = true; break }
            var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break reading }
            message += chunk[0..<n]
            if message.count > maxMessageBytes { timedOut = false; kill(pid, SIGKILL); break }
        }
        if timedOut { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if timedOut {
            throw KerasFileError(file: file, "corrupt HDF5 file: reading it did not finish within \(2 * cpu + 5) s")
        }
        if signal != 0 {
            let why = signal == SIGXCPU || signal == SIGKILL ? "reading it did not finish within \(cpu) s of CPU time"
                : "the HDF5 library failed on it (signal \(signal))"
            throw KerasFileError(file: file, "corrupt HDF5 file: \(why)")
        }
        guard (status >> 8) & 0xff == 0, let first = message.first, message.count <= maxMessageBytes else {
            throw KerasFileError(file: file, "corrupt HDF5 file: the HDF5 library failed on it (out of memory?)")
        }
        if first == 1 { throw KerasFileError(file: file, String(decoding: message.dropFirst(), as: UTF8.self)) }
        return try finish(Array(message.dropFirst()), UnsafeRawBufferPointer(buffer))
    }

    /// The largest message a child may send (attributes such as `model_config`).
    static let maxMessageBytes = 64 << 20

    /// The process's current virtual size in bytes (from /proc/self/statm).
    static func currentAddressSpace() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let first = text.split(separator: " ").first, let pages = Int(first) else { return 0 }
        return ShapeArithmetic.product(pages, Int(sysconf(Int32(_SC_PAGESIZE)))) ?? 0
    }

    static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// A tiny length-prefixed encoding for the child's messages.
struct MessageWriter {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0 } }
    mutating func string(_ s: String?) {
        guard let s else { int(-1); return }
        let u = Array(s.utf8)
        int(u.count)
        bytes += u
    }
}

struct MessageReader {
    let bytes: [UInt8]
    var at = 0
    let file: String
    mutating func int() throws(KerasFileError) -> Int {
        guard at + 8 <= bytes.count else { throw KerasFileError(file: file, "corrupt HDF5 file: short answer from the reader") }
        var v: Int64 = 0
        for k in 0..<8 { v |= Int64(bytes[at + k]) << (8 * Int64(k)) }
        at += 8
        return Int(v)
    }
    mutating func string() throws(KerasFileError) -> String? {
        let n = try int()
        if n < 0 { return nil }
        guard n <= bytes.count - at else { throw KerasFileError(file: file, "corrupt HDF5 file: short answer from the reader") }
        defer { at += n }
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }
}

import CMPI
import Foundation
import KerasEngine

/// An MPI call that returned an error (kerasctl sets MPI_ERRORS_RETURN).
public struct MPIError: Error, CustomStringConvertible {
    public let call: String
    public let code: Int32
    public var description: String {
        var text = [CChar](repeating: 0, count: 512)
        cmpi_error_string(code, &text, Int32(text.count))
        let detail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(call) failed (MPI error \(code)\(detail.isEmpty ? "" : ": \(detail)"))"
    }
}

/// MPI_COMM_WORLD as the engine's `DataParallel`: float32/float64 sums with MPI_Allreduce
/// in place, broadcasts from rank 0 with MPI_Bcast. MPI is initialized only when a launcher
/// started this process (`launched`); a plain `kerasctl train` never touches MPI.
public final class MPIWorld: DataParallel {
    public let rank: Int
    public let size: Int
    /// Seconds spent in MPI_Allreduce / MPI_Bcast, the calls made and the bytes summed
    /// (for `KERASCTL_MPI_STATS`, docs/DISTRIBUTED.md).
    public private(set) var seconds = 0.0
    public private(set) var calls = 0
    public private(set) var bytes = 0

    /// The environment variables MPI launchers set in the processes they start: Open MPI's
    /// mpirun (`OMPI_COMM_WORLD_SIZE`), PMIx launchers (`PMIX_RANK`, also Slurm's srun),
    /// MPICH/Hydra (`PMI_RANK`).
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]

    /// Whether an MPI launcher started this process.
    public static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return launcherVariables.contains { env[$0] != nil }
    }

    /// Initializes MPI (once per process) and joins MPI_COMM_WORLD.
    public init() throws {
        try Self.check("MPI_Init_thread", cmpi_init())
        try Self.check("MPI_Comm_set_errhandler", cmpi_errors_return())
        rank = Int(cmpi_rank())
        size = Int(cmpi_size())
        (bucketBytes, bucketProblem) = Self.bucketSize(ProcessInfo.processInfo.environment["KERASCTL_MPI_BUCKET_MB"])
    }

    /// MPI_Finalize: every process calls it once, after its last collective.
    public func finish() { _ = cmpi_finalize() }

    /// Ends every process of the job (MPI_Abort) with `code`.
    public func abort(_ code: Int32) -> Never {
        _ = cmpi_abort(code)
        exit(code)
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try collective("MPI_Allreduce", values.count, bytes: values.count * 4) { cmpi_sum_float(values.baseAddress, $0) }
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try collective("MPI_Allreduce", values.count, bytes: values.count * 8) { cmpi_sum_double(values.baseAddress, $0) }
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try collective("MPI_Bcast", values.count, bytes: 0) { cmpi_broadcast_float(values.baseAddress, $0) }
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try collective("MPI_Bcast", values.count, bytes: 0) { cmpi_broadcast_double(values.baseAddress, $0) }
    }

    public func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> any PendingSum {
        let pending = MPIPendingSum(world: self)
        try collective("MPI_Iallreduce", values.count, bytes: values.count * 4) { cmpi_start_sum_float(values.baseAddress, $0, &pending.request) }
        pending.started = values.count > 0
        return pending
    }

    /// Gradient bucket size: `KERASCTL_MPI_BUCKET_MB` (default 1; 0 = no overlap, one sum
    /// after the backward pass).
    public let bucketBytes: Int
    /// Why `KERASCTL_MPI_BUCKET_MB` could not be used, if it could not (kerasctl reports it).
    public let bucketProblem: String?

    static func bucketSize(_ text: String?) -> (Int, String?) {
        guard let text else { return (1 << 20, nil) }
        guard let mb = Double(text), mb >= 0, mb <= 65536 else {
            return (1 << 20, "KERASCTL_MPI_BUCKET_MB must be a number of megabytes from 0 to 65536, got '\(text)'")
        }
        return (Int(mb * 1_048_576), nil)
    }

    /// Times a wait for a non-blocking sum (its bytes were counted when it started).
    func waited(_ call: String, _ body: () -> Int32) throws {
        let start = cmpi_wtime()
        try Self.check(call, body())
        seconds += cmpi_wtime() - start
    }

    /// Runs one collective on `count` elements (MPI counts are Int32), timing it.
    private func collective(_ call: String, _ count: Int, bytes: Int, _ body: (Int32) -> Int32) throws {
        guard count > 0 else { return }
        guard let n = Int32(exactly: count) else { throw MPIError(call: call + " of more than 2^31 values", code: -1) }
        let start = cmpi_wtime()
        try Self.check(call, body(n))
        seconds += cmpi_wtime() - start
        calls += 1
        self.bytes += bytes
    }

    static func check(_ call: String, _ code: Int32) throws {
        guard code == 0 else { throw MPIError(call: call, code: code) }
    }
}

/// An MPI_Iallreduce in flight.
final class MPIPendingSum: PendingSum {
    let world: MPIWorld
    var request: MPI_Request?
    var started = false
    init(world: MPIWorld) { self.world = world }

    func poll() throws -> Bool {
        guard started else { return true }
        var done: Int32 = 0
        try world.waited("MPI_Test") { cmpi_test(&request, &done) }
        if done != 0 { started = false }
        return done != 0
    }

    func wait() throws {
        guard started else { return }
        try world.waited("MPI_Wait") { cmpi_wait(&request) }
        started = false
    }
}

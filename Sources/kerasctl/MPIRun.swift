import ArgumentParser
import Foundation
import KerasEngine
import KerasMPI

/// kerasctl's side of `mpirun -np N kerasctl train`: which rank prints and writes, and how
/// the ranks stop together. Without an MPI launcher there is no `MPIRun` and training is
/// the single process it always was (MPI is never initialized).
///
/// Errors: every rank sets up the run (spec, data, model, resume); then all vote
/// (`agree`) and either all train or all stop, the lowest failing rank printing its error
/// (rank 0 first). While training, errors every rank meets at the same point (NaN loss,
/// diverged weights, a data mismatch) are printed by rank 0 and all ranks finish MPI
/// cleanly; an error only one rank meets (a checkpoint it cannot write, a lost peer) is
/// printed by that rank, which exits without MPI_Finalize, and mpirun ends the others.
final class MPIRun {
    let world: MPIWorld
    var isRoot: Bool { world.rank == 0 }

    init() throws { world = try MPIWorld() }

    /// Every rank calls this once, after its setup succeeded or failed. Returns the setup's
    /// value when every rank succeeded; otherwise all ranks finish MPI and stop with the exit
    /// code of the lowest failing rank, which alone prints its error.
    func agree<T>(_ setup: () throws -> T) throws -> T {
        let result = Result { try setup() }
        var votes = [Double](repeating: 0, count: world.size)
        if case let .failure(e) = result { votes[world.rank] = Double(Failure.classify(e)?.0 ?? 1) }
        try votes.withUnsafeMutableBufferPointer { try world.sum($0) }
        guard let first = votes.firstIndex(where: { $0 != 0 }) else { return try result.get() }
        let code = Int32(votes[first])
        if world.rank == first, case let .failure(e) = result {
            _ = Failure.report(e)
        }
        fflush(nil)
        world.finish()
        throw ExitCode(code)
    }

    /// Runs the training phase: on success every rank finishes MPI; on an error see the type's note.
    func training(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            if Self.sameOnEveryRank(error) {
                let code = isRoot ? Failure.report(error) : (Failure.classify(error)?.0 ?? 1)
                fflush(nil)
                world.finish()
                throw ExitCode(code)
            }
            // Only this rank failed: it reports, and leaves without MPI_Finalize (the others
            // may be waiting in a collective); mpirun then stops the job.
            if !isRoot, let (code, text) = Failure.classify(error) {
                Failure.printError("rank \(world.rank): \(text)")
                fflush(nil)
                Foundation.exit(code)
            }
            throw error
        }
        fflush(nil)
        world.finish()
    }

    /// Errors every rank meets at the same point of the same collective computation.
    static func sameOnEveryRank(_ error: Error) -> Bool {
        error is TrainingError || error is DataParallelError || (error as? Failure)?.everyRank == true
    }
}

/// `KERASCTL_MPI_STATS=1`: rank 0 reports, after training, the bytes summed and the time
/// spent in collectives per step against the whole step (docs/DISTRIBUTED.md).
struct MPIStats {
    let world: MPIWorld
    let start: Date
    let seconds: Double, bytes: Int, calls: Int

    init?(_ mpi: MPIRun?) {
        guard let mpi, ProcessInfo.processInfo.environment["KERASCTL_MPI_STATS"] == "1" else { return nil }
        world = mpi.world; start = Date()
        seconds = world.seconds; bytes = world.bytes; calls = world.calls
    }

    func report(steps: Int, model: Model) {
        guard world.rank == 0, steps > 0 else { return }
        let wall = Date().timeIntervalSince(start), comm = world.seconds - seconds
        let perStep = Double(world.bytes - bytes) / Double(steps)
        let line = String(format: "mpi stats: %d ranks, %d steps, %d trainable weights, %.0f bytes allreduced/step (%d calls), step %.3f ms, in collectives %.3f ms (%.1f%%)",
                          world.size, steps, model.trainableCount, perStep, world.calls - calls,
                          1000 * wall / Double(steps), 1000 * comm / Double(steps), 100 * comm / Swift.max(wall, 1e-9))
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

import KerasBuilder
import ArgumentParser
import KerasEngine
import Foundation

/// The root command. Exit codes (SPEC.md): 0 success, 1 runtime failure, 2 usage or
/// spec error, 3 data error; every error is one line on stderr.
@main
struct Kerasctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kerasctl",
        abstract: "Keras, rebuilt in Swift and driven by YAML.",
        version: versionText,
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, Validate.self, Export.self, Plot.self, PlotModel.self])

    /// `kerasctl --version`: the version, the commit it was built from, the BLAS it runs on.
    static var versionText: String {
        "kerasctl \(BuildInfo.version)\n"
            + "commit \(BuildInfo.commit)\n"
            + "BLAS: \(BLASInfo.configuration); kernels: \(BLASInfo.kernels)"
            + (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
    }

    static func main() {
        useFasterBLASKernels()
        InterruptSignal.install()
        keepBatchBuffersMapped()
        CrashLine.install()
        ModelBuilder.savedModelLoader = ModelSource.asLayer
        if let problem = MemoryBudget.environmentProblem() {
            Failure.printError(problem)
            Foundation.exit(2)
        }
        let code: Int32
        do {
            var command = try parseAsRoot()
            do {
                try command.run()
                code = 0
            } catch {
                code = Failure.report(error)
            }
        } catch {
            code = Failure.reportParse(error, command: Self.self)
        }
        fflush(nil)
        Foundation.exit(code)
    }
}

/// Re-executes kerasctl with the environment its libraries read only when they are loaded:
/// `OPENBLAS_CORETYPE` when OpenBLAS fell back to generic kernels on a CPU that runs faster
/// ones (see `BLASInfo.preferredCoreType`), and `OMP_WAIT_POLICY=passive` unless the user set
/// it — oneDNN's OpenMP threads otherwise spin after each convolution and slow the engine's
/// own threads that run next (MobileNetV2 inference 202 → 144 images/s); and
/// `OMP_NUM_THREADS` from `KERASCTL_THREADS` or `OPENBLAS_NUM_THREADS` when only those are
/// set, so one thread count holds for all three pools (MPI ranks sharing a machine set it to
/// 1). If the exec fails, kerasctl goes on as it is.
private func useFasterBLASKernels() {
    var changed = false
    if let core = BLASInfo.preferredCoreType() { setenv("OPENBLAS_CORETYPE", core, 1); changed = true }
    if getenv("OMP_WAIT_POLICY") == nil { setenv("OMP_WAIT_POLICY", "passive", 1); changed = true }
    if getenv("OMP_NUM_THREADS") == nil, let n = getenv("KERASCTL_THREADS") ?? getenv("OPENBLAS_NUM_THREADS") {
        setenv("OMP_NUM_THREADS", n, 1)
        changed = true
    }
    if changed { execv("/proc/self/exe", CommandLine.unsafeArgv) }
}

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

/// Re-executes kerasctl with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to generic
/// kernels on a CPU that runs faster ones (see `BLASInfo.preferredCoreType`). OpenBLAS reads
/// the variable only when it is loaded, hence the exec; if the exec fails, kerasctl goes on.
private func useFasterBLASKernels() {
    guard let core = BLASInfo.preferredCoreType() else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
}

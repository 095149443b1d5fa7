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
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, Validate.self, Export.self])

    static func main() {
        keepBatchBuffersMapped()
        CrashLine.install()
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

import ArgumentParser
import Foundation
import KerasBuilder
import KerasData
import KerasEngine
import KerasInterop
import KerasMPI
import KerasSpec

/// A failure with its exit code, for errors the CLI itself raises.
struct Failure: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    /// Raised by every rank of an MPI run at the same point (see `MPIRun`).
    var everyRank = false
    var description: String { message }

    static func usage(_ m: String) -> Failure { Failure(code: 2, message: m) }
    static func data(_ m: String) -> Failure { Failure(code: 3, message: m) }
    static func runtime(_ m: String) -> Failure { Failure(code: 1, message: m) }

    /// Prints a run-time `error` as one line on stderr and returns its exit code.
    static func report(_ error: Error) -> Int32 {
        if let e = error as? ExitCode { return e.rawValue }
        guard let (code, text) = classify(error) else { return 0 }
        // Spec and data errors already start with their file (and line:column).
        if error is SpecError || error is DataError || error is KerasFileError { printLine(text) } else { printError(text) }
        return code
    }

    /// The exit code and the line for `error`; nil for a help request (printed here, exit 0).
    static func classify(_ error: Error) -> (Int32, String)? {
        let (code, text): (Int32, String)
        switch error {
        case let e as Failure: (code, text) = (e.code, e.message)
        case let e as SpecError: (code, text) = (2, e.description)
        case let e as DataError: (code, text) = (3, e.description)
        case let e as KerasFileError: (code, text) = (3, e.description)
        case let e as ShapeError: (code, text) = (2, e.description)
        case let e as PersistenceError: (code, text) = (3, e.description)
        case let e as TrainingError:
            switch e {
            case .mismatch: (code, text) = (3, e.description)
            case .notCompiled, .nonFiniteLoss: (code, text) = (1, e.description)
            }
        case let e as DataParallelError:
            switch e {
            case .batchNotDivisible, .metricWithoutState: (code, text) = (2, e.description)
            case .replicasDiverged: (code, text) = (1, e.description)
            }
        case let e as MPIError: (code, text) = (1, e.description)
        case let e as ExitCode: (code, text) = (e.rawValue, "")
        default:
            if Kerasctl.exitCode(for: error) == .success {
                print(Kerasctl.fullMessage(for: error))
                return nil
            }
            (code, text) = (1, "\(error)")
        }
        return (code, text)
    }

    /// Command-line parsing errors: help and version print to stdout (exit 0); anything
    /// else is a usage error (exit 2).
    static func reportParse(_ error: Error, command: any ParsableCommand.Type) -> Int32 {
        if command.exitCode(for: error) == .success {
            print(command.fullMessage(for: error))
            return 0
        }
        if let e = error as? Failure { printError(e.message); return e.code }
        printError(command.message(for: error))
        return 2
    }

    static func printError(_ text: String) { printLine("kerasctl: " + text) }

    static func printLine(_ text: String) {
        let line = text.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

import KerasText
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why saving or loading a model file failed. Every case names the file (or weight)
/// and what was expected versus found; nothing in persistence traps on bad input.
public enum PersistenceError: Error, CustomStringConvertible, Equatable {
    /// A system call failed: the operation, the path and the `strerror` text.
    case io(operation: String, path: String, reason: String)
    /// A file's bytes do not form a valid file of the expected format.
    case corrupt(path: String, reason: String)
    /// A safetensors tensor has a dtype other than F32.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A weight the model has is absent from the file.
    case missingWeight(name: String)
    /// The file holds a weight the model does not have.
    case unexpectedWeight(name: String, known: [String])
    /// A weight's stored shape differs from the model's.
    case shapeMismatch(name: String, expected: [Int], got: [Int])
    /// Saved training state that does not fit this model or optimizer.
    case incompatibleState(String)

    public var description: String { oneLine(text) }

    private var text: String {
        switch self {
        case let .io(op, path, reason): "\(path): cannot \(op): \(reason)"
        case let .corrupt(path, reason): "\(path): not a valid file: \(reason)"
        case let .unsupportedDType(path, tensor, dtype):
            "\(path): tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
        case let .missingWeight(name): "weight '\(name)' is missing from the saved weights"
        case let .unexpectedWeight(name, known):
            "the saved weights hold '\(name)', which the model does not have (the model has: \(known.joined(separator: ", ")))"
        case let .shapeMismatch(name, expected, got):
            "weight '\(name)' has shape \(got) in the saved weights but \(expected) in the model"
        case let .incompatibleState(m): m
        }
    }

    /// An `.io` error for the current `errno`.
    static func errno(_ operation: String, _ path: String, _ code: Int32 = Glibc.errno) -> PersistenceError {
        .io(operation: operation, path: path, reason: String(cString: strerror(code)))
    }
}

import Foundation
@_exported import KerasBuilder
@_exported import KerasData
@_exported import KerasEngine
@_exported import KerasSpec

/// libFuzzer's driver (from `-sanitize=fuzzer`): parses libFuzzer's flags from the
/// command line and calls `test` with every input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// Runs libFuzzer with `test`; called from each harness's entry point (`<Target>_main`,
/// the name SwiftPM gives an executable's main on Linux).
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                     _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    // Builds in the harnesses may take at most 256 MiB of weights and activations, so a
    // model within the budget never trips libFuzzer's RSS limit.
    MemoryBudget.bytes = 256 << 20
    currentTest = test
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, test)
}

nonisolated(unsafe) var currentTest: (@convention(c) (UnsafePointer<UInt8>?, Int) -> Int32)?

/// libFuzzer's own `main` (linked from its archive, though unused: SwiftPM points `main`
/// at the harness's entry) refers to this symbol; it forwards to the harness's test.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    currentTest?(data, size) ?? 0
}

/// The input as bytes.
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A private scratch folder in shared memory for inputs that must be files.
public let scratch: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = "\(base)/kerasctl-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

/// Writes `bytes` to `name` in the scratch folder and returns its path.
public func scratchFile(_ name: String, _ bytes: [UInt8]) -> String {
    let path = "\(scratch)/\(name)"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Splits an input into `parts` pieces at the separator line `\n--8<--\n` (missing pieces
/// are empty), for harnesses that need several files.
public func split(_ input: [UInt8], parts: Int) -> [[UInt8]] {
    let sep = Array("\n--8<--\n".utf8)
    var out: [[UInt8]] = []
    var start = 0
    var i = 0
    while i + sep.count <= input.count, out.count < parts - 1 {
        if input[i..<(i + sep.count)].elementsEqual(sep) {
            out.append(Array(input[start..<i]))
            i += sep.count
            start = i
        } else {
            i += 1
        }
    }
    out.append(Array(input[start...]))
    while out.count < parts { out.append([]) }
    return out
}

/// Every error a reader may throw is fine (it is the user's one-line message); what the
/// harness catches is a trap, a crash, a hang or a blow-up. The message must be one line.
public func expectOneLine(_ error: Error) {
    let text = "\(error)"
    if text.contains("\n") { fatalError("multi-line error message: \(text)") }
}

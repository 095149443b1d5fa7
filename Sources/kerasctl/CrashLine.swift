#if canImport(Glibc)
import Glibc
#endif

/// The last line of defence: if kerasctl ever traps or faults (a bug — every bad input
/// is meant to be an error message), it prints one line instead of the Swift runtime's
/// multi-line backtrace, and exits with 70 (EX_SOFTWARE). Installed at start-up, over
/// the runtime's own handlers.
enum CrashLine {
    static func install() {
        for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                let text = "kerasctl: internal error (signal \(sig)); this is a bug, please report it with the command and its input\n"
                text.utf8CString.withUnsafeBufferPointer { b in _ = write(2, b.baseAddress, b.count - 1) }
                _exit(70)
            }
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&action.sa_mask)
            sigaction(s, &action, nil)
        }
    }
}

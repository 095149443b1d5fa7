#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Where Ctrl-C (SIGINT) is taken: on one thread of its own that never computes, never on a
/// thread that may be inside oneDNN.
///
/// oneDNN 2.6's JIT sgemm kernels (`jit_avx512_common_gemm_f32`, `jit_avx_gemm_f32`) point
/// `rsp` into a heap workspace while they run (uxlfoundation/oneDNN#4845, fixed upstream by
/// #4855, not in Debian's 2.6). A signal handler that runs on such a thread pushes its frame
/// into that heap block, and the next `free` aborts ("corrupted size vs. prev_size") — one
/// Ctrl-C in about twenty during training did. So `install` blocks SIGINT in the main thread
/// before any computing thread exists (the worker pool's, OpenMP's and Dispatch's threads
/// inherit the mask) and unblocks it only in a thread that sleeps in `pause()`. The handler
/// runs there (or on a thread OpenBLAS started before `main`, which never enters oneDNN).
///
/// Before training arms it, Ctrl-C ends the process by SIGINT as the default action would;
/// armed, it only sets `requested`, and the trainer stops at the next batch boundary.
enum InterruptSignal {
    static let armed = Atomic<Bool>(false)
    static let requested = Atomic<Bool>(false)

    /// The set holding SIGINT alone.
    private static func sigintSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Call first in `main`, before anything starts a thread that may compute.
    static func install() {
        // Both atomics are initialized here, not first touched inside the handler.
        _ = armed.load(ordering: .relaxed)
        _ = requested.load(ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if InterruptSignal.armed.load(ordering: .acquiring) {
                InterruptSignal.requested.store(true, ordering: .releasing)
            } else {
                // Not training (or not yet): end by SIGINT, as without a handler.
                signal(SIGINT, SIG_DFL)
                kill(getpid(), SIGINT)
            }
        }
        action.sa_flags = Int32(truncatingIfNeeded: SA_RESTART)
        sigemptyset(&action.sa_mask)
        // Without the handler, SIGINT keeps its default action, unblocked.
        guard sigaction(SIGINT, &action, nil) == 0 else { return }
        var set = sigintSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let host = Thread {
            var set = InterruptSignal.sigintSet()
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            // Named so `ps -L`, a debugger and the tests can tell it.
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            if fd >= 0 { _ = write(fd, "kerasctl-sigint", 15); close(fd) }
            while true { pause() }
        }
        host.start()
    }
}

import KerasDNNL
import KerasKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads `ParallelBatch` runs its chunks on.
///
/// A training step runs dozens of parallel regions back to back (GEMM halves, optimizer
/// slices, elementwise passes), many of them a few hundred microseconds long. Waking a
/// sleeping thread for each costs tens of microseconds on a virtual machine (the seed MLP
/// spent 13% of its epoch in the kernel's scheduler under `DispatchQueue.concurrentPerform`),
/// so these workers spin for a while after a region (`spinNanoseconds`,
/// `longSpinNanoseconds`) before they sleep on a condition variable. The caller's thread
/// runs chunks too; chunks are claimed one at a time, so a worker slowed by another process
/// leaves the rest to the others.
///
/// One region at a time: a call while the pool is busy (a nested region, another thread)
/// gets false and runs its chunks elsewhere.
final class WorkerPool: @unchecked Sendable {
    /// generation (24 bits) | chunk count (20 bits) | next chunk (20 bits), so a chunk is
    /// claimed by one compare-and-swap that also checks it belongs to the current region.
    private let state = Atomic<UInt64>(0)
    /// Chunks of the current region not yet finished.
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    /// Workers asleep on the condition variable (the others spin or run chunks).
    var sleepingWorkers: Int { sleepers.load(ordering: .relaxed) }
    private let busy = Atomic<Bool>(false)
    /// The current region's body; set before its generation is published and cleared after
    /// its last chunk finished, so a thread that claimed a chunk reads this region's.
    nonisolated(unsafe) private var body: ((Int) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    let workers: Int
    /// How long a worker spins for the next region before it sleeps: long while no oneDNN
    /// call has woken an OpenMP team since its last wait (a step of GEMM halves and
    /// elementwise regions: the seed MLP, the LSTM, the Transformer; serial gaps of a
    /// fraction of a millisecond then cost no sleep and wake-up), short otherwise; and a
    /// team call stops the spin at once, so OpenMP's threads get the cores (a spinning
    /// worker made the reference CNN's oneDNN convolutions 48% slower).
    let spinNanoseconds: UInt64, longSpinNanoseconds: UInt64

    /// Regions of more chunks than this run elsewhere (the state's 20-bit fields).
    static let maximumChunks = (1 << 20) - 1

    /// The pool for `ParallelBatch.threads` at start-up (nil on one thread, or with
    /// `KERASCTL_WORKER_POOL=0`: then Dispatch's threads run the regions).
    static let shared: WorkerPool? = {
        let n = ParallelBatch.defaultThreads()
        if let v = getenv("KERASCTL_WORKER_POOL"), String(cString: v) == "0" { return nil }
        return n > 1 ? WorkerPool(workers: n - 1) : nil
    }()

    init?(workers: Int, spinNanoseconds: UInt64 = 50_000, longSpinNanoseconds: UInt64 = 2_000_000) {
        self.workers = workers
        self.spinNanoseconds = spinNanoseconds
        self.longSpinNanoseconds = longSpinNanoseconds
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<workers {
            var thread = pthread_t()
            let me = Unmanaged.passRetained(self).toOpaque()   // the pool lives as long as its threads: forever
            let started = pthread_create(&thread, nil, { arg in
                guard let arg else { return nil }
                Unmanaged<WorkerPool>.fromOpaque(arg).takeUnretainedValue().workerLoop()
                return nil
            }, me)
            guard started == 0 else {   // no thread: the regions run on Dispatch's instead
                Unmanaged<WorkerPool>.fromOpaque(me).release()
                return nil
            }
            pthread_detach(thread)
        }
    }

    /// Runs `body(c)` for c in 0..<count on the workers and the calling thread; false (and
    /// nothing run) when the pool is busy or `count` is too large.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard count > 0, count <= Self.maximumChunks,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            self.body = body
            remaining.store(count, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> 40) &+ 1) & 0xFF_FFFF
            state.store(generation << 40 | UInt64(count) << 20, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            let omp = kd_threads()
            kd_set_threads(1)   // oneDNN on one thread inside a chunk, as on the workers
            work(generation)
            kd_set_threads(omp)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins < 1 << 14 { kk_pause() } else { sched_yield() }
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs chunks of region `generation` until none is left.
    private func work(_ generation: UInt64) {
        while true {
            let s = state.load(ordering: .acquiring)
            guard s >> 40 == generation else { return }
            let count = (s >> 20) & 0xF_FFFF, next = s & 0xF_FFFF
            guard next < count else { return }
            guard state.compareExchange(expected: s, desired: s + 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            body?(Int(next))
            remaining.subtract(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        kd_set_threads(1)
        var seen: UInt64 = 0, lastTeamCalls = kd_team_calls()
        while true {
            var generation = state.load(ordering: .acquiring) >> 40
            if generation == seen {
                let start = Self.now(), teamCalls = kd_team_calls()
                let budget = teamCalls == lastTeamCalls ? longSpinNanoseconds : spinNanoseconds
                lastTeamCalls = teamCalls
                var spins = 0
                while generation == seen {
                    kk_pause()
                    spins += 1
                    if spins & 63 == 0 && (kd_team_calls() != teamCalls || Self.now() &- start > budget) {
                        pthread_mutex_lock(mutex)
                        sleepers.add(1, ordering: .sequentiallyConsistent)
                        generation = state.load(ordering: .sequentiallyConsistent) >> 40
                        while generation == seen {
                            pthread_cond_wait(wake, mutex)
                            generation = state.load(ordering: .acquiring) >> 40
                        }
                        sleepers.subtract(1, ordering: .relaxed)
                        pthread_mutex_unlock(mutex)
                    } else {
                        generation = state.load(ordering: .acquiring) >> 40
                    }
                }
            }
            seen = generation
            work(generation)
        }
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}

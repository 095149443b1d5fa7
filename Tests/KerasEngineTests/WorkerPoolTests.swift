import XCTest
import Dispatch
import KerasDNNL
@testable import KerasEngine

/// ParallelBatch's worker pool runs every chunk exactly once per region, region after region,
/// with more chunks than threads, a nested region inside a chunk (which runs elsewhere) and
/// regions started from several threads at once; its workers spin across serial gaps but
/// give the cores up to a oneDNN call that wakes an OpenMP team.
final class WorkerPoolTests: XCTestCase {
    func testEveryChunkRunsOncePerRegion() throws {
        let pool = try XCTUnwrap(WorkerPool(workers: 2))
        for count in [1, 2, 3, 7, 64] {
            for _ in 0..<2_000 {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                hits.initialize(repeating: 0, count: count)
                XCTAssertTrue(pool.run(count) { c in hits[c] += 1 })   // each chunk writes only its own slot
                XCTAssertEqual(Array(UnsafeBufferPointer(start: hits, count: count)), [Int](repeating: 1, count: count))
                hits.deallocate()
            }
        }
    }

    func testNestedAndConcurrentRegionsRunElsewhere() throws {
        let pool = try XCTUnwrap(WorkerPool(workers: 1))
        let inner = UnsafeMutablePointer<Bool>.allocate(capacity: 4)
        defer { inner.deallocate() }
        XCTAssertTrue(pool.run(4) { c in inner[c] = pool.run(2) { _ in } })
        XCTAssertEqual(Array(UnsafeBufferPointer(start: inner, count: 4)), [false, false, false, false])
        // ParallelBatch.run from several threads at once: each gets all its chunks, through
        // the pool or Dispatch.
        let saved = ParallelBatch.threads
        ParallelBatch.threads = 2
        defer { ParallelBatch.threads = saved }
        let totals = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 8)
        defer { totals.deallocate() }
        totals.initialize(repeating: 0, count: 32)
        let address = UInt(bitPattern: totals)   // each thread writes its own eight slots
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            guard let totals = UnsafeMutablePointer<Int>(bitPattern: address) else { return }
            for _ in 0..<500 {
                ParallelBatch.run(100, chunks: 8) { c, r in totals[t * 8 + c] += r.count }
            }
        }
        for t in 0..<4 { XCTAssertEqual((0..<8).map { totals[t * 8 + $0] }.reduce(0, +), 500 * 100) }
    }

    /// After regions with no OpenMP team call between them a worker keeps spinning (here for
    /// up to ten minutes); a oneDNN call on two OpenMP threads puts it to sleep at once, and
    /// the spin after the next region is the short one.
    func testATeamCallStopsTheSpin() throws {
        let pool = try XCTUnwrap(WorkerPool(workers: 1, spinNanoseconds: 50_000, longSpinNanoseconds: 600_000_000_000))
        func waitForSleep() -> Bool {
            for _ in 0..<10_000 where pool.sleepingWorkers == 1 { return true }   // cheap polls first
            for _ in 0..<1_000 { if pool.sleepingWorkers == 1 { return true }; usleep(10_000) }
            return false
        }
        XCTAssertTrue(pool.run(2) { _ in })
        XCTAssertTrue(pool.run(2) { _ in })
        usleep(50_000)   // 1,000 short spins' worth
        XCTAssertEqual(pool.sleepingWorkers, 0, "no team call: the worker should still be spinning")

        let a = [Float](repeating: 1, count: 64 * 64), b = a
        var c = [Float](repeating: 0, count: 64 * 64)
        let omp = kd_threads()
        kd_set_threads(2)
        XCTAssertEqual(kd_sgemm(0, 0, 64, 64, 64, a, 64, b, 64, 0, &c, 64), 0)
        kd_set_threads(omp)
        XCTAssertEqual(c[0], 64)
        XCTAssertTrue(waitForSleep(), "a team call should put the spinning worker to sleep")

        XCTAssertTrue(pool.run(2) { _ in })   // wakes it; a team call came since its last wait
        XCTAssertTrue(waitForSleep(), "after a team call the worker should spin only briefly")
    }
}

import Foundation
import XCTest
@testable import KerasEngine

/// A batch is gathered on several threads only from sources that say they allow it, and
/// the split batch is the same, value for value, as one call would write.
final class BatchGatherTests: XCTestCase {
    /// Writes example r as r·1000 + e and records each call's rows.
    final class RecordingSource: ExampleSource, @unchecked Sendable {
        let count: Int, width: Int, concurrent: Bool
        private let lock = NSLock()
        private(set) var calls: [[Int]] = []
        init(count: Int, width: Int, concurrent: Bool) { self.count = count; self.width = width; self.concurrent = concurrent }
        var exampleShape: [Int] { [width] }
        var gathersConcurrently: Bool { concurrent }
        func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>) {
            lock.lock(); calls.append(Array(rows)); lock.unlock()
            for (k, r) in rows.enumerated() { for e in 0..<width { dst[k * width + e] = Float(r * 1000 + e) } }
        }
    }

    private func rows(_ n: Int, of count: Int) -> [Int] { (0..<n).map { ($0 * 7919 + 13) % count } }

    func testASplitBatchHoldsEveryRowInOrder() {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        let width = 700, order = rows(250, of: 400)   // 175,000 values: above the split threshold
        for threads in [1, 2, 3] {
            ParallelBatch.threads = threads
            let source = RecordingSource(count: 400, width: width, concurrent: true)
            let batch = order.withUnsafeBufferPointer { source.batch($0) }
            XCTAssertEqual(batch.shape, [250, width])
            for (k, r) in order.enumerated() {
                for e in [0, 1, width / 2, width - 1] { XCTAssertEqual(batch[flat: k * width + e], Float(r * 1000 + e)) }
            }
            // One call per thread, together the whole list once, in order.
            XCTAssertEqual(source.calls.count, threads)
            // (The listed rows are distinct, so a call's first row places it.)
            XCTAssertEqual(source.calls.sorted { order.firstIndex(of: $0[0])! < order.firstIndex(of: $1[0])! }.flatMap { $0 }, order)
        }
    }

    func testASourceThatDoesNotSaySoIsGatheredInOneCall() {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        ParallelBatch.threads = 2
        let source = RecordingSource(count: 400, width: 700, concurrent: false)
        let order = rows(250, of: 400)
        _ = order.withUnsafeBufferPointer { source.batch($0) }
        XCTAssertEqual(source.calls, [order])
    }

    func testTensorAndRowRangeSourcesGatherConcurrentlyAndMatch() {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        let data = GradientCheck.random([500, 300], seed: 7)
        let whole = TensorSource(data), tail = RowRangeSource(whole, 100..<500)
        XCTAssertTrue(whole.gathersConcurrently)
        XCTAssertTrue(tail.gathersConcurrently)
        let order = rows(320, of: 400)
        for threads in [1, 2] {
            ParallelBatch.threads = threads
            let batch = order.withUnsafeBufferPointer { tail.batch($0) }
            for (k, r) in order.enumerated() {
                for e in 0..<300 { XCTAssertEqual(batch[flat: k * 300 + e], data[flat: (100 + r) * 300 + e]) }
            }
        }
    }
}

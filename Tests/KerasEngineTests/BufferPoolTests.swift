import XCTest
import Dispatch
@testable import KerasEngine

/// Large tensor buffers are recycled by size, bounded, safely across threads, and a
/// recycled buffer never leaks old values into a zero-initialised tensor.
final class BufferPoolTests: XCTestCase {
    override func setUp() { BufferPool.drain() }
    override func tearDown() { BufferPool.drain() }

    func testSameSizeIsReusedOtherSizesAreNot() {
        let n = BufferPool.minimumBytes / 4 + 100   // floats: above the pool's minimum
        var first: UnsafePointer<Float>?
        do {
            let a = Tensor(shape: [n], repeating: 3)
            first = a.pointer
            XCTAssertEqual(Int(bitPattern: a.pointer) % 4096, 0, "pooled buffers are page-aligned")
        }
        XCTAssertEqual(BufferPool.held, BufferPool.rounded(n * 4), "the released buffer is kept")
        let b = Tensor(shape: [n])          // same size: the same buffer, cleared
        XCTAssertEqual(b.pointer, first)
        XCTAssertEqual(b.scalars.max(), 0, "zero-initialised despite the recycled 3s")
        XCTAssertEqual(BufferPool.held, 0)
        let c = Tensor(shape: [n * 2])      // another size: a new buffer
        XCTAssertNotEqual(c.pointer, first)
        let small = Tensor(shape: [10])     // below the minimum: malloc, not the pool
        withExtendedLifetime((b, c, small)) {}
    }

    func testHeldBytesStayWithinTheLimit() {
        let saved = BufferPool.limitBytes
        defer { BufferPool.limitBytes = saved }
        let n = BufferPool.minimumBytes / 4
        BufferPool.limitBytes = BufferPool.rounded(n * 4) * 2
        do { _ = (0..<5).map { _ in Tensor(shape: [n]) } }   // five released at once
        XCTAssertEqual(BufferPool.held, BufferPool.limitBytes, "two kept, three unmapped")
    }

    func testConcurrentAllocationAndRelease() {
        let n = BufferPool.minimumBytes / 4 + 1
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for k in 0..<200 {
                var t = Tensor(shape: [n + (k % 3) * 1024], repeating: Float(i))
                t.withMutableData { $0[0] += 1 }
                XCTAssertEqual(t[flat: 0], Float(i) + 1)
                XCTAssertEqual(t[flat: t.count - 1], Float(i))
            }
        }
        XCTAssertLessThanOrEqual(BufferPool.held, BufferPool.limitBytes)
        XCTAssertGreaterThan(BufferPool.held, 0)
    }
}

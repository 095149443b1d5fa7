import KerasKernels
import XCTest
@testable import KerasEngine

/// Dropout's mask: value i of a call keyed by k is drawn from word ⌊i/2⌋ of the SplitMix64
/// stream seeded with k, so any chunk of it — a thread's range, an MPI shard's rows — is the
/// same values as the whole.
final class DropoutMaskTests: XCTestCase {
    /// SplitMix64 seeded with 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4 (its published
    /// reference sequence): 24-bit draws 14,819,496 and 1,953,199 from the first word,
    /// 7,239,838 and 12,150,260 from the second. A value is kept when its draw is below the
    /// threshold.
    func testDrawsAreSplitMix64Words() {
        func mask(_ threshold: UInt64, first: Int = 0, _ n: Int = 4) -> [Float] {
            var out = [Float](repeating: -1, count: n)
            kk_dropout_mask(&out, first, n, 0, threshold, 2)
            return out
        }
        XCTAssertEqual(mask(14_819_497), [2, 2, 2, 2])
        XCTAssertEqual(mask(14_819_496), [0, 2, 2, 2])   // a draw is not below itself
        XCTAssertEqual(mask(12_150_260), [0, 2, 2, 0])
        XCTAssertEqual(mask(7_239_838), [0, 2, 0, 0])
        XCTAssertEqual(mask(12_150_261, first: 1, 3), [2, 2, 2])   // an odd start: the low half first
        XCTAssertEqual(mask(12_150_260, first: 3, 1), [0])
        XCTAssertEqual(mask(0), [0, 0, 0, 0])
        // The engine's generator is seeded from the same stream.
        let rng = RNG(seed: 0)
        XCTAssertEqual([rng.s0, rng.s1], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4])
    }

    /// Any split of a mask gives the whole mask's values; about 1 − rate of them are kept.
    func testChunksGiveTheWholeMask() {
        let n = 10_001, threshold: UInt64 = 10_066_330   // rate 0.4
        var whole = [Float](repeating: -1, count: n)
        kk_dropout_mask(&whole, 0, n, 0xDEAD_BEEF, threshold, 1 / 0.6)
        for cuts in [[0, 1, n], [0, 2, 7, 4_999, n], [0, 5_000, 5_001, 9_999, n]] {
            var parts = [Float](repeating: -1, count: n)
            parts.withUnsafeMutableBufferPointer { p in
                for (a, b) in zip(cuts, cuts.dropFirst()) {
                    kk_dropout_mask(p.baseAddress! + a, a, b - a, 0xDEAD_BEEF, threshold, 1 / 0.6)
                }
            }
            XCTAssertEqual(parts, whole, "cuts \(cuts)")
        }
        let kept = whole.filter { $0 != 0 }.count
        XCTAssertTrue(whole.allSatisfy { $0 == 0 || $0 == 1 / 0.6 })
        XCTAssertEqual(Double(kept) / Double(n), 0.6, accuracy: 0.02)   // four binomial standard deviations
    }

    /// The layer fills a large mask in chunks on the threads: the same output on every thread
    /// count, and each call a new mask.
    func testLayerMaskDoesNotDependOnThreads() {
        let x = Tensor(shape: [64, 515], repeating: 1)   // 32,960 values: split
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        var outputs: [[Float]] = []
        for threads in [1, 2, 3] {
            ParallelBatch.threads = threads
            let d = Dropout(rate: 0.25)
            d.randomState = RNG(seed: 4)
            outputs.append(d(x, training: true).scalars + d(x, training: true).scalars)
        }
        XCTAssertEqual(outputs[1], outputs[0])
        XCTAssertEqual(outputs[2], outputs[0])
        XCTAssertNotEqual(Array(outputs[0][..<x.count]), Array(outputs[0][x.count...]))
    }
}

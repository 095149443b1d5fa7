@testable import KerasEngine
import XCTest

/// The engine's side of data-parallel training that runs in one process: how a global
/// batch is split, Dropout drawing the global mask and keeping its rows, metric totals
/// that add up over shards. (Training over MPI itself: kerasctlTests/MPITrainTests.)
final class DataParallelTests: XCTestCase {
    func testShardsSplitAGlobalBatchIntoContiguousNearlyEqualParts() {
        func parts(_ global: Int, _ size: Int) -> [[Int]] {
            (0..<size).map { let s = BatchShard(rank: $0, size: size, global: global); return [s.offset, s.count] }
        }
        XCTAssertEqual(parts(16, 2), [[0, 8], [8, 8]])
        XCTAssertEqual(parts(10, 3), [[0, 3], [3, 3], [6, 4]])  // 10·1/3 = 3, 10·2/3 = 6
        XCTAssertEqual(parts(1, 2), [[0, 0], [0, 1]])           // a one-row last batch: rank 0's part is empty
        XCTAssertEqual(parts(7, 1), [[0, 7]])
    }

    /// Two processes' Dropout shards of a global batch are the rows of the mask one process draws.
    func testDropoutShardsApplyTheRowsOfTheGlobalMask() {
        let rows = 6, features = 5
        let ones = Tensor(shape: [rows, features], repeating: 1)
        let whole = Dropout(rate: 0.4), left = Dropout(rate: 0.4), right = Dropout(rate: 0.4)
        for d in [whole, left, right] { d.randomState = RNG(seed: 9) }
        left.batchShard = BatchShard(rank: 0, size: 2, global: rows)
        right.batchShard = BatchShard(rank: 1, size: 2, global: rows)
        for _ in 0..<2 {  // twice: the generators stay together
            let w = whole(ones, training: true).scalars
            let a = left(Tensor(shape: [3, features], repeating: 1), training: true).scalars
            let b = right(Tensor(shape: [3, features], repeating: 1), training: true).scalars
            XCTAssertEqual(a + b, w)
            XCTAssertTrue(w.contains(0) && w.contains(1 / 0.6), "the mask drops and keeps")
        }
        // A process whose shard of a batch is empty skips that batch's draws.
        _ = whole(Tensor(shape: [3, features], repeating: 1), training: true)
        left.skipRows(3)
        left.batchShard = nil
        XCTAssertEqual(left(ones, training: true).scalars, whole(ones, training: true).scalars)
    }

    /// The tape reports each parameter's gradient as soon as the backward pass has finished
    /// it: `b`, used last, before `a`; each once, equal to the final gradients.
    /// loss = Σ (a·x)·b, so d/da = x·b = (15, 24), d/db = a·x = (5, 12), by hand.
    func testTapeReportsEachGradientWhenTheBackwardPassHasFinishedIt() {
        let a = Parameter(name: "a", value: Tensor(shape: [2], data: [1, 2]))
        let b = Parameter(name: "b", value: Tensor(shape: [2], data: [3, 4]))
        let unused = Parameter(name: "unused", value: Tensor(shape: [1], data: [7]))
        let tape = Tape()
        for p in [a, b, unused] { tape.watch(p) }
        let h = a.value * Tensor(shape: [2], data: [5, 6])
        let loss = sum(h * b.value)
        var reported: [(String, [Float])] = []
        let grads = tape.gradients(of: loss, for: [a, b, unused]) { p, g in reported.append((p.name, g.scalars)) }
        XCTAssertEqual(reported.map(\.0), ["unused", "b", "a"])
        XCTAssertEqual(reported.map(\.1), [[0], [5, 12], [15, 24]])
        XCTAssertEqual(grads[a]?.scalars, [15, 24])
        XCTAssertEqual(grads[b]?.scalars, [5, 12])
    }

    /// The per-epoch weight check, seen from rank 1 of 2, with rank 0's contributions played
    /// by `PeerRank0`: the same weights pass; one changed weight names rank 1.
    func testWeightCheckNamesTheRankWhoseWeightsDiffer() throws {
        func model() throws -> Sequential {
            let m = Sequential(layers: [Dense(units: 3, name: "dense")])
            try m.build(inputShapes: [[4]], seed: 3)
            return m
        }
        let root = try model(), same = try model(), other = try model()
        other.parameters[0].value[flat: 5] += 1e-6
        // What rank 0 contributes: its hash pieces and their squares, then (broadcast) its pieces, then a 0 vote.
        let recorder = PeerRank0(size: 1)
        XCTAssertEqual(try recorder.divergedRanks(of: root), [])
        let pieces = Array(recorder.sums[0].prefix(4))
        for (m, expected) in [(same, [Int]()), (other, [1])] {
            let peer = PeerRank0(size: 2, rank: 1, add: [recorder.sums[0], [0, 0]], broadcasts: [pieces])
            XCTAssertEqual(try peer.divergedRanks(of: m), expected)
        }
    }

    /// Metric totals from two shards, summed, give the metric of all the examples
    /// (by hand: 3 of 4 correct; not the mean of the shards' 1/1 and 2/3).
    func testMetricStatesSumOverShards() {
        let all = SparseCategoricalAccuracy(), a = SparseCategoricalAccuracy(), b = SparseCategoricalAccuracy()
        let yTrue = Tensor(shape: [4], data: [0, 1, 1, 0])
        let yPred = Tensor(shape: [4, 2], data: [0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4])
        all.update(yTrue: yTrue, yPred: yPred)
        a.update(yTrue: Tensor(shape: [1], data: [0]), yPred: Tensor(shape: [1, 2], data: [0.9, 0.1]))
        b.update(yTrue: Tensor(shape: [3], data: [1, 1, 0]), yPred: Tensor(shape: [3, 2], data: [0.2, 0.8, 0.7, 0.3, 0.6, 0.4]))
        a.state = zip(a.state, b.state).map { $0 + $1 }
        XCTAssertEqual(a.result(), 0.75)
        XCTAssertEqual(a.state, all.state)

        let auc = AUC(numThresholds: 5), p = AUC(numThresholds: 5), q = AUC(numThresholds: 5)
        let labels = Tensor(shape: [4, 1], data: [1, 0, 1, 0]), scores = Tensor(shape: [4, 1], data: [0.9, 0.3, 0.6, 0.7])
        auc.update(yTrue: labels, yPred: scores)
        p.update(yTrue: Tensor(shape: [2, 1], data: [1, 0]), yPred: Tensor(shape: [2, 1], data: [0.9, 0.3]))
        q.update(yTrue: Tensor(shape: [2, 1], data: [1, 0]), yPred: Tensor(shape: [2, 1], data: [0.6, 0.7]))
        p.state = zip(p.state, q.state).map { $0 + $1 }
        XCTAssertEqual(p.result(), auc.result(), accuracy: 1e-12)
    }
}

/// Plays rank 0 of a 2-process run inside one process: `sum` adds rank 0's recorded
/// contributions in order, `broadcast` returns rank 0's values. With `size: 1` it is a run of
/// its own and records what it sums (to become the peer of another).
private final class PeerRank0: DataParallel {
    let rank: Int, size: Int
    var add: [[Double]], broadcasts: [[Double]]
    var sums: [[Double]] = []
    init(size: Int, rank: Int = 0, add: [[Double]] = [], broadcasts: [[Double]] = []) {
        self.size = size; self.rank = rank; self.add = add; self.broadcasts = broadcasts
    }
    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        sums.append(Array(values))
        guard !add.isEmpty else { return }
        let a = add.removeFirst()
        for i in values.indices { values[i] += a[i] }
    }
    func broadcast(_ values: UnsafeMutableBufferPointer<Double>) throws {
        guard !broadcasts.isEmpty else { return }
        let b = broadcasts.removeFirst()
        for i in values.indices { values[i] = b[i] }
    }
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws { XCTFail("not used by the weight check") }
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>) throws { XCTFail("not used by the weight check") }
    func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> any PendingSum { throw DataParallelError.metricWithoutState("unused") }
    var bucketBytes: Int { 0 }
}

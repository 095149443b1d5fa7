/// Training over several processes, data-parallel (Keras's `keras.distribution.DataParallel`,
/// TensorFlow's `MultiWorkerMirroredStrategy`, Horovod): every process holds the whole model,
/// reads its own shard of each global batch, and the processes sum their gradients before
/// the identical optimizer step. The engine only needs the collectives below; kerasctl's
/// `KerasMPI` implements them with MPI, and the engine knows nothing about MPI.
///
/// Every process calls the same collectives in the same order with the same counts.
public protocol DataParallel: AnyObject {
    /// This process, `0..<size`; process 0 is the one that prints and writes.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` on every process with their elementwise sum over all processes
    /// (the same sums everywhere).
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Replaces `values` on every process with process 0's.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>) throws
    func broadcast(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Starts `sum(values)` and returns at once; `values` must stay in place, untouched,
    /// until the returned sum is complete.
    func startSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> any PendingSum
    /// Gradient bytes per bucket: each bucket's sum starts as soon as the backward pass has
    /// finished its gradients, overlapping the rest of the backward pass. 0: one sum of all
    /// gradients after the backward pass.
    var bucketBytes: Int { get }
}

/// A sum started by `DataParallel.startSum`.
public protocol PendingSum: AnyObject {
    /// Lets the sum progress; true once it is complete.
    func poll() throws -> Bool
    /// Waits until the sum is complete.
    func wait() throws
}

/// Where this process's examples sit in a global batch: rows `offset ..< offset + count`
/// of `global`.
public struct BatchShard: Equatable, Sendable {
    public var offset: Int
    public var count: Int
    public var global: Int
    public init(offset: Int, count: Int, global: Int) { self.offset = offset; self.count = count; self.global = global }

    /// Rank `rank`'s part of a batch of `global` rows split over `size` processes: the rows
    /// `global·rank/size ..< global·(rank+1)/size`, so shards differ by at most one row.
    public init(rank: Int, size: Int, global: Int) {
        let lo = global * rank / size, hi = global * (rank + 1) / size
        self.init(offset: lo, count: hi - lo, global: global)
    }
}

/// A layer whose training-time noise is drawn per example (Dropout): given the shard, it
/// draws its rows of the whole global batch's noise, so N processes together apply the very
/// mask one process would.
public protocol GlobalBatchNoise: AnyObject {
    var batchShard: BatchShard? { get set }
    /// Advances the generator as a training call on `globalRows` rows would (the process's
    /// shard of a short last batch can be empty; its generator must stay with the others').
    func skipRows(_ globalRows: Int)
}

/// A layer whose forward pass in training updates non-trainable statistics
/// (BatchNormalization's moving mean and variance). Data-parallel training averages them
/// over the processes after every step, weighted by each process's rows.
public protocol BatchStatistics: AnyObject {
    var batchStatistics: [Parameter] { get }
}

/// Why a data-parallel run cannot go on.
public enum DataParallelError: Error, CustomStringConvertible {
    case batchNotDivisible(batchSize: Int, processes: Int)
    /// A metric that cannot be summed over processes (no `Metric.state`).
    case metricWithoutState(String)
    /// The weights differ between processes after `epoch` (0-based).
    case replicasDiverged(epoch: Int, ranks: [Int])
    public var description: String {
        switch self {
        case let .batchNotDivisible(b, n):
            "batch_size \(b) is the global batch and must divide evenly over the \(n) processes (e.g. \(b / n * n > 0 ? b / n * n : n) or \((b / n + 1) * n))"
        case let .metricWithoutState(name):
            "metric '\(name)' has no state to sum over processes (Metric.state), so it cannot be computed exactly in data-parallel training"
        case let .replicasDiverged(e, ranks):
            "the processes' weights differ after epoch \(e + 1) (rank\(ranks.count > 1 ? "s" : "") \(ranks.map(String.init).joined(separator: ", ")) differ from rank 0); stopping rather than training diverged copies"
        }
    }
}

extension DataParallel {
    /// Sums one array of doubles in place.
    func sum(_ values: inout [Double]) throws { try values.withUnsafeMutableBufferPointer { try sum($0) } }

    /// Makes every process hold process 0's weights (trainable and not), optimizer slots,
    /// optimizer counters and random generators: done once before training, also after a resume.
    func broadcastState(of model: Model) throws {
        for p in model.parameters { try p.value.withMutableData { try broadcast($0) } }
        guard let opt = model.optimizer else { return }
        // Slot tensors exist only for parameters that have been stepped; agree on which first.
        let params = model.trainableParameters
        var have = params.map { opt.slots[$0.name] == nil ? 0.0 : 1.0 }
        try have.withUnsafeMutableBufferPointer { try broadcast($0) }
        for (p, h) in zip(params, have) {
            if h == 0 { opt.slots[p.name] = nil; continue }
            var state = opt.slots.removeValue(forKey: p.name) ?? opt.rule.slotNames.indices.map {
                Tensor(shape: opt.rule.slotShape($0, for: p.shape), repeating: 0)
            }
            for i in state.indices { try state[i].withMutableData { try broadcast($0) } }
            opt.slots[p.name] = state
        }
        var scalars = [Double(opt.iterations), opt.learningRateOverride.map(Double.init) ?? .nan]
        try scalars.withUnsafeMutableBufferPointer { try broadcast($0) }
        opt.iterations = Int(scalars[0])
        opt.learningRateOverride = scalars[1].isNaN ? nil : Float(scalars[1])
        for (_, r) in model.randomLayers {
            let s = r.randomState
            // Each 64-bit word as two exact 32-bit halves.
            var words = [s.s0, s.s1, s.s2, s.s3].flatMap { [Double($0 >> 32), Double($0 & 0xFFFF_FFFF)] }
            try words.withUnsafeMutableBufferPointer { try broadcast($0) }
            func word(_ i: Int) -> UInt64 { UInt64(words[2 * i]) << 32 | UInt64(words[2 * i + 1]) }
            var g = s
            g.s0 = word(0); g.s1 = word(1); g.s2 = word(2); g.s3 = word(3)
            r.randomState = g
        }
    }

    /// Checks that every process holds bit-identical weights: a 64-bit hash of all
    /// parameters, compared through a sum of its 16-bit pieces and their squares (all
    /// equal exactly when n·Σx² = (Σx)²; exact in Double). Returns the ranks that differ
    /// from rank 0 (a second, per-rank vote), empty when all agree.
    func divergedRanks(of model: Model) throws -> [Int] {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for p in model.parameters {
            p.value.withData { d in for v in d { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01B3 } }
        }
        let pieces = (0..<4).map { Double((h >> (16 * UInt64($0))) & 0xFFFF) }
        var sums = pieces + pieces.map { $0 * $0 }
        try sum(&sums)
        let n = Double(size)
        guard (0..<4).contains(where: { n * sums[4 + $0] != sums[$0] * sums[$0] }) else { return [] }
        var mine = pieces
        try mine.withUnsafeMutableBufferPointer { try broadcast($0) }
        var votes = [Double](repeating: 0, count: size)
        votes[rank] = mine == pieces ? 0 : 1
        try sum(&votes)
        return votes.indices.filter { votes[$0] != 0 }
    }

    /// Sums the metrics' running totals over the processes (exact metrics, not averages of averages).
    func sumStates(_ metrics: [any Metric], _ trackers: [MeanTracker] = []) throws {
        var all = trackers.flatMap(\.state) + metrics.flatMap(\.state)
        try sum(&all)
        var at = 0
        func take(_ n: Int) -> [Double] { defer { at += n }; return Array(all[at..<(at + n)]) }
        for t in trackers { t.state = take(t.state.count) }
        for m in metrics { m.state = take(m.state.count) }
    }
}

/// Sums a step's gradients over the processes, as Horovod and PyTorch DDP do: the
/// gradients go into one fused buffer laid out last layer first, cut into buckets of
/// about `DataParallel.bucketBytes`; a bucket's sum starts (non-blocking) as soon as the
/// backward pass has finished all its gradients, and runs while earlier layers still
/// compute theirs. Each process's gradient of its own mean loss, times its share of the
/// global batch, summed, is the gradient of the global batch's mean loss.
final class GradientReducer {
    let parallel: any DataParallel
    let parameters: [Parameter]
    /// Non-trainable statistics the forward pass updates (BatchNormalization's moving moments).
    let statistics: [Parameter]
    /// Gradients (parameters in reverse order), then statistics; a fixed address, as
    /// non-blocking sums need.
    private let buffer: UnsafeMutablePointer<Float>
    private var offset: [ObjectIdentifier: (at: Int, bucket: Int)] = [:]
    private var buckets: [Range<Int>] = []
    private var waiting: [Int] = []
    private var pending: [(any PendingSum)?] = []
    private var hasGradient: [ObjectIdentifier: Bool] = [:]
    private var share: Float = 1
    private var failure: Error?
    private let statisticsRange: Range<Int>

    init(_ parallel: any DataParallel, parameters: [Parameter], statistics: [Parameter]) {
        self.parallel = parallel; self.parameters = parameters; self.statistics = statistics
        var at = 0, start = 0, bucket = 0
        var members: [Int] = []
        var count = 0
        let cap = Swift.max(parallel.bucketBytes / MemoryLayout<Float>.size, 1)
        for p in parameters.reversed() {
            offset[ObjectIdentifier(p)] = (at, bucket)
            at += p.count; count += 1
            if parallel.bucketBytes > 0 && at - start >= cap {
                buckets.append(start..<at); members.append(count); start = at; bucket += 1; count = 0
            }
        }
        if at > start || buckets.isEmpty { buckets.append(start..<at); members.append(count) }
        bucketMembers = members
        let total = at + statistics.reduce(0) { $0 + $1.count }
        statisticsRange = at..<total
        buffer = .allocate(capacity: Swift.max(total, 1))
        buffer.initialize(repeating: 0, count: Swift.max(total, 1))
    }

    deinit { buffer.deallocate() }
    /// How many parameters each bucket holds.
    private let bucketMembers: [Int]

    private func slice(_ r: Range<Int>) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: buffer + r.lowerBound, count: r.count)
    }

    /// Bytes summed per step (gradients and statistics; the few Double scalars not counted).
    var bytesPerStep: Int { statisticsRange.upperBound * MemoryLayout<Float>.size }

    /// Starts a step in which this process holds `share` of the global batch's rows.
    func begin(share: Double) {
        self.share = Float(share)
        waiting = bucketMembers
        pending = buckets.map { _ in nil }
        hasGradient = [:]
        failure = nil
    }

    /// The backward pass finished `p`'s gradient: into the buffer, and the bucket's sum
    /// starts when it is complete. Lets the sums in flight progress.
    func ready(_ p: Parameter, _ gradient: Tensor) {
        guard let (at, b) = offset[ObjectIdentifier(p)], hasGradient[ObjectIdentifier(p)] == nil else { return }
        hasGradient[ObjectIdentifier(p)] = true
        let src = gradient.pointer, f = share
        for i in 0..<p.count { buffer[at + i] = src[i] * f }
        waiting[b] -= 1
        do {
            if waiting[b] == 0 { try start(b) }
            for case let s? in pending { _ = try s.poll() }
        } catch { failure = failure ?? error }
    }

    private func start(_ b: Int) throws {
        guard pending[b] == nil else { return }
        pending[b] = try parallel.startSum(slice(buckets[b]))
    }

    /// After the backward pass (or none, for an empty shard): completes every sum and
    /// replaces `gradients` and the loss `values` (this process's means) by the global ones.
    /// A parameter keeps no gradient only when no process had one for it.
    func finish(_ gradients: inout Gradients, _ values: inout [Double]) throws {
        if let failure { throw failure }
        // Parameters the backward pass did not report (an empty shard): zeros.
        for p in parameters where hasGradient[ObjectIdentifier(p)] == nil {
            if let g = gradients[p] { ready(p, g); continue }
            guard let (at, b) = offset[ObjectIdentifier(p)] else { continue }
            for i in 0..<p.count { buffer[at + i] = 0 }
            waiting[b] -= 1
            if waiting[b] == 0 { try start(b) }
        }
        if let failure { throw failure }
        for b in buckets.indices { try start(b) }
        for case let s? in pending { try s.wait() }
        let f = share
        var at = statisticsRange.lowerBound
        for p in statistics {
            let src = p.value.pointer
            for i in 0..<p.count { buffer[at + i] = src[i] * f }
            at += p.count
        }
        try parallel.sum(slice(statisticsRange))
        var scalars = values.map { $0 * Double(f) } + parameters.map { hasGradient[ObjectIdentifier($0)] == true ? 1 : 0 }
        try parallel.sum(&scalars)
        values = Array(scalars[..<values.count])
        for (k, p) in parameters.enumerated() {
            guard scalars[values.count + k] > 0, let (at, _) = offset[ObjectIdentifier(p)] else { gradients[p] = nil; continue }
            let t = Tensor(uninitializedShape: p.shape)
            t.freshPointer.update(from: buffer + at, count: p.count)
            gradients[p] = t
        }
        at = statisticsRange.lowerBound
        for p in statistics {
            let t = Tensor(uninitializedShape: p.shape)
            t.freshPointer.update(from: buffer + at, count: p.count)
            p.value = t
            at += p.count
        }
    }
}

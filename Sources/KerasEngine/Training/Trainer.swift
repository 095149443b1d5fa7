/// Options of `fit`, with Keras's defaults.
public struct FitOptions {
    public var epochs = 1
    public var batchSize = 32
    public var shuffle = true
    /// The epoch to start from (resume); epochs are 0-based here, printed 1-based.
    public var initialEpoch = 0
    /// Seeds the shuffling stream.
    public var seed: UInt64 = 0
    /// Data-parallel training over several processes (nil: this process alone). `batchSize`
    /// is then the global batch, split evenly over the processes.
    public var parallel: (any DataParallel)?
    public init(epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, initialEpoch: Int = 0, seed: UInt64 = 0) {
        self.epochs = epochs; self.batchSize = batchSize; self.shuffle = shuffle; self.initialEpoch = initialEpoch; self.seed = seed
    }
}

/// Why training stopped early with an error.
public enum TrainingError: Error, CustomStringConvertible {
    case notCompiled
    case mismatch(String)
    case nonFiniteLoss(epoch: Int, batch: Int)
    public var description: String {
        switch self {
        case .notCompiled: "the model must be compiled (optimizer and loss) before training"
        case let .mismatch(m): m
        case let .nonFiniteLoss(e, b): "loss became NaN or infinite at epoch \(e + 1), batch \(b + 1)"
        }
    }
}

extension Model {
    /// The names the logs use for output `i`'s loss and metrics: Keras prefixes them
    /// with the output name only when the model has several outputs.
    func metricKey(_ output: Int, _ name: String) -> String {
        outputNames.count > 1 ? "\(outputNames[output])_\(name)" : name
    }

    private func checkData(_ data: Dataset, needTargets: Bool) throws {
        guard data.inputs.count == inputShapes.count else {
            throw TrainingError.mismatch("the model has \(inputShapes.count) input(s), the data \(data.inputs.count)")
        }
        for (i, src) in data.inputs.enumerated() where src.exampleShape.reduce(1, *) != inputShapes[i].reduce(1, *) || src.count != data.count {
            throw TrainingError.mismatch("input '\(inputNames[i])' expects examples of shape \(kerasShape(inputShapes[i])), the data has \(kerasShape(src.exampleShape)) × \(src.count)")
        }
        guard needTargets else { return }
        guard data.targets.count == outputShapes.count else {
            throw TrainingError.mismatch("the model has \(outputShapes.count) output(s), the data \(data.targets.count) target(s)")
        }
        for (i, t) in data.targets.enumerated() {
            guard t.count == data.count else { throw TrainingError.mismatch("target '\(outputNames[i])' has \(t.count) examples, the inputs \(data.count)") }
            if let loss = losses[i] {
                do { try loss.checkTargets(targetShape: t.exampleShape, outputShape: outputShapes[i]) } catch let e as ShapeError {
                    throw TrainingError.mismatch("output '\(outputNames[i])': \(e.message)")
                }
            }
        }
    }

    /// Gathers one batch of every input (reshaped to the model's input shapes) and target.
    private func gatherBatch(_ data: Dataset, _ rows: UnsafeBufferPointer<Int>) -> ([Tensor], [Tensor]) {
        let xs = data.inputs.enumerated().map { i, s in s.batch(rows).viewed(as: [rows.count] + inputShapes[i]) }
        let ys = data.targets.map { $0.batch(rows) }
        return (xs, ys)
    }

    /// The total loss of a batch: weighted output losses, regularization penalties and layer loss terms.
    private func batchLoss(_ outputs: [Tensor], _ targets: [Tensor], perOutput: inout [Double]) -> Tensor {
        var total: Tensor?
        for (i, loss) in losses.enumerated() {
            guard let loss else { continue }
            let yTrue = targets[i].viewed(as: targets[i].shape)
            let l = loss(yTrue, outputs[i])
            perOutput[i] = Double(l.scalar)
            let w = lossWeights[i] == 1 ? l : l * lossWeights[i]
            total = total.map { $0 + w } ?? w
        }
        for p in trainableParameters { if let r = p.regularizer { total = total.map { $0 + r.penalty(p.value) } } }
        for layer in layers { if let lc = layer as? LossContributing { for t in lc.lossTerms { total = total.map { $0 + t } }; lc.lossTerms.removeAll() } }
        return total ?? Tensor(0)
    }

    /// Keras's `fit`. Returns the history; callbacks see every epoch.
    @discardableResult
    public func fit(_ train: Dataset, validation: Dataset? = nil, options: FitOptions = FitOptions(),
                    callbacks: [any Callback] = []) throws -> History {
        guard let optimizer else { throw TrainingError.notCompiled }
        try checkData(train, needTargets: true)
        if let validation { try checkData(validation, needTargets: true) }
        let history = History()
        let all: [any Callback] = [history] + callbacks
        stopTraining = false
        for c in all { c.onTrainBegin(model: self) }
        var shuffleRNG = RNG(seed: options.seed)
        // Advance the shuffle stream to where an uninterrupted run would be.
        for _ in 0..<options.initialEpoch where options.shuffle { _ = shuffleRNG.permutation(train.count) }
        let n = train.count, bs = Swift.max(1, options.batchSize)
        let batches = (n + bs - 1) / bs
        let params = trainableParameters
        let parallel = options.parallel
        var reducer: GradientReducer?
        let noiseLayers = layers.compactMap { $0 as? GlobalBatchNoise }
        defer { for l in noiseLayers { l.batchShard = nil } }
        if let parallel {
            guard bs % parallel.size == 0 else { throw DataParallelError.batchNotDivisible(batchSize: bs, processes: parallel.size) }
            if let m = metrics.joined().first(where: { $0.state.isEmpty }) { throw DataParallelError.metricWithoutState(m.name) }
            try parallel.broadcastState(of: self)
            reducer = GradientReducer(parallel, parameters: params, statistics: layers.flatMap { ($0 as? BatchStatistics)?.batchStatistics ?? [] })
        }
        let lossTracker = MeanTracker()
        var perOutputTrackers = losses.map { _ in MeanTracker() }
        var lastLogs = Logs()
        for epoch in options.initialEpoch..<options.epochs {
            for c in all { c.onEpochBegin(epoch, model: self) }
            let order = options.shuffle ? shuffleRNG.permutation(n) : Array(0..<n)
            lossTracker.reset(); perOutputTrackers = losses.map { _ in MeanTracker() }
            for m in metrics.joined() { m.reset() }
            for b in 0..<batches {
                let lo = b * bs, hi = Swift.min(n, lo + bs)
                // Data-parallel: this process's rows of the global batch lo..<hi.
                let shard = parallel.map { BatchShard(rank: $0.rank, size: $0.size, global: hi - lo) }
                for l in noiseLayers { l.batchShard = shard }
                let rlo = lo + (shard?.offset ?? 0), rhi = shard.map { rlo + $0.count } ?? hi
                let (xs, ys) = order.withUnsafeBufferPointer { gatherBatch(train, UnsafeBufferPointer(rebasing: $0[rlo..<rhi])) }
                let tape = Tape()
                for p in params { tape.watch(p) }
                var outs: [Tensor] = []
                var perOutput = [Double](repeating: 0, count: losses.count)
                var value = 0.0
                var grads = Gradients()
                // Each process's mean over its rows, weighted by its share, summed: the global mean.
                reducer?.begin(share: Double(rhi - rlo) / Double(hi - lo))
                if rhi > rlo {
                    outs = call(xs, training: true)
                    let loss = batchLoss(outs, ys, perOutput: &perOutput)
                    value = Double(loss.scalar)
                    if let reducer {
                        grads = tape.gradients(of: loss, for: params) { p, g in reducer.ready(p, g) }
                    } else {
                        grads = tape.gradients(of: loss, for: params)
                    }
                } else {
                    for l in noiseLayers { l.skipRows(hi - lo) }
                }
                if let reducer {
                    var values = [value] + perOutput
                    try reducer.finish(&grads, &values)
                    value = values[0]; perOutput = Array(values.dropFirst())
                }
                guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: b) }
                optimizer.apply(grads, to: params)
                let w = Double(hi - lo)
                lossTracker.update(value, weight: w)
                for i in perOutput.indices { perOutputTrackers[i].update(perOutput[i], weight: w) }
                if rhi > rlo { for (i, ms) in metrics.enumerated() { for m in ms { m.update(yTrue: ys[i], yPred: outs[i].detached) } } }
                if !callbacks.isEmpty {
                    let logs = currentLogs(lossTracker, perOutputTrackers)
                    for c in callbacks { c.onBatchEnd(b, of: batches, logs: logs, model: self) }
                }
                if stopTraining { break }  // as Keras: a callback may stop mid-epoch
            }
            if let parallel {
                // The loss is already global (reduced every step); the metrics' totals are summed here.
                try parallel.sumStates(Array(metrics.joined()))
                let differ = try parallel.divergedRanks(of: self)
                guard differ.isEmpty else { throw DataParallelError.replicasDiverged(epoch: epoch, ranks: differ) }
            }
            var logs = currentLogs(lossTracker, perOutputTrackers)
            if let validation {
                for (k, v) in try evaluate(validation, batchSize: bs, parallel: parallel).values { logs["val_" + k] = v }
            }
            for c in all { try c.onEpochEnd(epoch, logs: &logs, model: self) }
            lastLogs = logs
            if stopTraining { break }
        }
        for c in all { c.onTrainEnd(model: self, logs: lastLogs) }
        return history
    }

    private func currentLogs(_ loss: MeanTracker, _ perOutput: [MeanTracker]) -> Logs {
        var logs = Logs()
        logs["loss"] = loss.result
        if outputNames.count > 1 { for (i, t) in perOutput.enumerated() where losses[i] != nil { logs[metricKey(i, "loss")] = t.result } }
        for (i, ms) in metrics.enumerated() { for m in ms { logs[metricKey(i, m.name)] = m.result() } }
        return logs
    }

    /// Keras's `evaluate`: the loss and metrics over `data`, in inference mode. With
    /// `parallel`, each process evaluates its contiguous share of the examples (in batches
    /// of `batchSize / size`) and the totals are summed: every process returns the same logs.
    public func evaluate(_ data: Dataset, batchSize: Int = 32, parallel: (any DataParallel)? = nil) throws -> Logs {
        try checkData(data, needTargets: true)
        let lossTracker = MeanTracker()
        let perOutputTrackers = losses.map { _ in MeanTracker() }
        for m in metrics.joined() { m.reset() }
        let rows = parallel.map { BatchShard(rank: $0.rank, size: $0.size, global: data.count) }
        let first = rows?.offset ?? 0, n = first + (rows?.count ?? data.count)
        let bs = Swift.max(1, batchSize / (parallel?.size ?? 1))
        let order = Array(0..<n)
        var lo = first
        while lo < n {
            let hi = Swift.min(n, lo + bs)
            let (xs, ys) = order.withUnsafeBufferPointer { gatherBatch(data, UnsafeBufferPointer(rebasing: $0[lo..<hi])) }
            let outs = call(xs, training: false)
            var perOutput = [Double](repeating: 0, count: losses.count)
            let loss = batchLoss(outs, ys, perOutput: &perOutput)
            let w = Double(hi - lo)
            lossTracker.update(Double(loss.scalar), weight: w)
            for i in perOutput.indices { perOutputTrackers[i].update(perOutput[i], weight: w) }
            for (i, ms) in metrics.enumerated() { for m in ms { m.update(yTrue: ys[i], yPred: outs[i]) } }
            lo = hi
        }
        try parallel?.sumStates(Array(metrics.joined()), [lossTracker] + perOutputTrackers)
        return currentLogs(lossTracker, perOutputTrackers)
    }

    /// Keras's `predict` on one batch of inputs (batch first, any leading count).
    public func predict(_ inputs: [Tensor]) -> [Tensor] {
        let xs = inputs.enumerated().map { i, x in x.viewed(as: [x.batchSize] + inputShapes[i]) }
        return call(xs, training: false).map(\.detached)
    }
}

import XCTest
@testable import KerasEngine

/// Numerical gradient checks through time: the fused sequence op for every cell (with
/// bias, sequence mask, recurrent dropout masks, go_backwards), every layer and wrapper,
/// and the data-movement ops, for the input and every parameter.
final class RecurrentGradientTests: XCTestCase {
    let kinds: [RecurrentCellKind] = [.simple, .lstm, .gru(resetAfter: true), .gru(resetAfter: false)]

    func spec(_ kind: RecurrentCellKind, units: Int = 3) -> RecurrentCellSpec {
        RecurrentCellSpec(kind: kind, units: units, activation: RecurrentActivation(.tanh)!, recurrentActivation: RecurrentActivation(.sigmoid)!)
    }

    /// (b, T) mask with a hole, post- and pre-padding.
    let mask = Tensor(shape: [3, 4], data: [1, 1, 0, 1,  1, 1, 1, 0,  0, 0, 1, 1])

    func testSequenceOpEveryCell() {
        for kind in kinds {
            let u = 3, G = kind.gates, b = 3, T = 4
            let z = GradientCheck.random([T, b, G * u], seed: 1)  // time-major
            let U = GradientCheck.random([u, G * u], seed: 2, scale: 0.5)
            let bias = GradientCheck.random(kind == .gru(resetAfter: true) ? [2, G * u] : [G * u], seed: 3, scale: 0.5)
            let drops = (0..<G).map { g in GradientCheck.random([b, u], seed: 10 + UInt64(g)).viewed(as: [b, u]) }
            for goBackwards in [false, true] {
                // Plain, with the time-step mask, and with recurrent dropout masks (values need not be 0/scale).
                GradientCheck.check(inputs: [z, U, bias]) {
                    recurrentSequence($0[0], recurrentKernel: $0[1], bias: $0[2], cell: spec(kind), goBackwards: goBackwards)
                }
                GradientCheck.check(inputs: [z, U, bias]) {
                    recurrentSequence($0[0], recurrentKernel: $0[1], bias: $0[2], cell: spec(kind), mask: mask, goBackwards: goBackwards)
                }
                GradientCheck.check(inputs: [z, U, bias]) {
                    recurrentSequence($0[0], recurrentKernel: $0[1], bias: $0[2], cell: spec(kind), mask: mask,
                                      recurrentDropout: kind == .simple ? [drops[0]] : drops, goBackwards: goBackwards)
                }
            }
            GradientCheck.check(inputs: [z, U]) { recurrentSequence($0[0], recurrentKernel: $0[1], bias: nil, cell: spec(kind)) }
        }
    }

    /// Batch 17 on two threads (slices of 8 and 9 rows run in parallel) and 10 units (a full
    /// eight-lane block and a tail of two): gradient checks for every cell with a time-step
    /// mask and recurrent dropout masks, and the same numbers as the serial run.
    func testSequenceOpRowSlicesAndWideUnits() {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        let u = 10, b = 17, T = 3
        var holes = [Float](repeating: 1, count: b * T)
        for bi in stride(from: 0, to: b, by: 4) { holes[bi * T + (bi / 4) % T] = 0 }
        let mask = Tensor(shape: [b, T], data: holes)
        for kind in kinds {
            let G = kind.gates
            let z = GradientCheck.random([T, b, G * u], seed: 21)  // time-major
            let U = GradientCheck.random([u, G * u], seed: 22, scale: 0.3)
            let bias = GradientCheck.random(kind == .gru(resetAfter: true) ? [2, G * u] : [G * u], seed: 23, scale: 0.5)
            let drops = (0..<(kind == .simple ? 1 : G)).map { g in GradientCheck.random([b, u], seed: 30 + UInt64(g)) }
            for goBackwards in [false, true] {
                let f: ([Tensor]) -> Tensor = {
                    recurrentSequence($0[0], recurrentKernel: $0[1], bias: $0[2], cell: self.spec(kind, units: u), mask: mask,
                                      recurrentDropout: drops, goBackwards: goBackwards)
                }
                ParallelBatch.threads = 2
                if !goBackwards { GradientCheck.check(inputs: [z, U, bias], f) }
                // Outputs and gradients of Σ f·w equal the serial run's.
                func run(_ threads: Int) -> [Tensor] {
                    ParallelBatch.threads = threads
                    let tape = Tape()
                    let xs = [z, U, bias].map { tape.watch($0) }
                    let y = f(xs)
                    return [y.detached] + tape.gradients(of: sum(y * GradientCheck.random(y.shape, seed: 5)), for: xs)
                }
                for (k, (a, c)) in zip(run(1), run(2)).enumerated() {
                    let worst = (0..<a.count).map { abs(a[flat: $0] - c[flat: $0]) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-5, "\(kind) goBackwards \(goBackwards): result \(k), serial vs two slices")
                }
            }
        }
    }

    func testSequenceOpOtherActivations() {
        let cell = RecurrentCellSpec(kind: .lstm, units: 2, activation: RecurrentActivation(.softsign)!,
                                     recurrentActivation: RecurrentActivation(.hardSigmoid)!)
        let z = GradientCheck.random([2, 3, 8], seed: 4, scale: 0.5), U = GradientCheck.random([2, 8], seed: 5, scale: 0.5)
        GradientCheck.check(inputs: [z, U]) { recurrentSequence($0[0], recurrentKernel: $0[1], bias: nil, cell: cell) }
        let elu = RecurrentCellSpec(kind: .gru(resetAfter: true), units: 2, activation: RecurrentActivation(.elu())!,
                                    recurrentActivation: RecurrentActivation(.sigmoid)!)
        GradientCheck.check(inputs: [GradientCheck.random([2, 3, 6], seed: 6), GradientCheck.random([2, 6], seed: 7)]) {
            recurrentSequence($0[0], recurrentKernel: $0[1], bias: nil, cell: elu)
        }
    }

    func build(_ layer: any Layer, _ shape: [Int]) throws {
        var ctx = BuildContext(rng: RNG(seed: 5))
        _ = try layer.build(inputShapes: [shape], context: &ctx)
        // Random (not initializer-shaped) weights exercise every path, forget bias included.
        for (k, p) in layer.parameters.enumerated() { p.value = GradientCheck.random(p.shape, seed: 40 + UInt64(k), scale: 0.5) }
    }

    /// Sum of every output, each output weighted differently, as one tensor.
    func joined(_ ys: [Tensor]) -> Tensor {
        concatenate(ys.map { reshape($0, [$0.batchSize, $0.exampleSize]) }, axis: 1)
    }

    func testEveryLayerAllOutputs() throws {
        let x = GradientCheck.random([2, 4, 3], seed: 9)
        func layers() -> [RecurrentLayer] {
            var s = SimpleRNN.Config(units: 3); s.returnSequences = true; s.returnState = true
            var l = LSTM.Config(units: 3); l.returnSequences = true; l.returnState = true
            var lb = LSTM.Config(units: 2); lb.returnState = true; lb.goBackwards = true
            var g = GRU.Config(units: 3); g.returnSequences = true; g.returnState = true
            var gf = GRU.Config(units: 3); gf.resetAfter = false; gf.returnState = true; gf.goBackwards = true
            return [SimpleRNN(s), LSTM(l), LSTM(lb), GRU(g), GRU(gf)]
        }
        for layer in layers() {
            try build(layer, [4, 3])
            GradientCheck.check(inputs: [x], parameters: layer.parameters) { joined(layer.forward($0, training: false)) }
        }
    }

    func testMaskedLayersThroughSequential() throws {
        // Masking → LSTM(sequences) → Dense: gradients stop at padded steps and flow around them.
        var x = GradientCheck.random([3, 4, 2], seed: 12)
        for (bi, t) in [(0, 3), (1, 0), (1, 1), (2, 2)] { for j in 0..<2 { x[flat: (bi * 4 + t) * 2 + j] = 0 } }
        var g = GRU.Config(units: 2); g.returnSequences = true
        let model = Sequential(layers: [Masking(), LSTM(units: 3, returnSequences: true), Dense(units: 2), GRU(g)])
        try model.build(inputShapes: [[4, 2]], seed: 3)
        // Skip the exact padding zeros: a nudge away from 0 unmasks the step (a jump, not a slope).
        GradientCheck.check(inputs: [x], parameters: model.parameters, skip: { _, i in x[flat: i] == 0 }) {
            model.call($0, training: false)[0]
        }
    }

    func testBidirectionalEveryMergeMode() throws {
        let x = GradientCheck.random([2, 3, 2], seed: 13)
        for mode in Bidirectional.MergeMode.allCases {
            var c = LSTM.Config(units: 2); c.returnSequences = mode != .sum; c.returnState = mode == .mul
            let layer = try Bidirectional(mode == .ave ? GRU(units: 2, returnSequences: true) : LSTM(c), mergeMode: mode)
            try build(layer, [3, 2])
            GradientCheck.check(inputs: [x], parameters: layer.parameters) { joined(layer.forward($0, training: false)) }
        }
        // With a mask (zero_output_for_mask on the sequences).
        let layer = try Bidirectional(SimpleRNN(units: 2, returnSequences: true))
        try build(layer, [3, 2])
        let m = Tensor(shape: [2, 3], data: [1, 0, 1, 0, 1, 1])
        GradientCheck.check(inputs: [x], parameters: layer.parameters) { layer.forward($0, masks: [m], training: false).outputs[0] }
    }

    func testTimeDistributedEmbeddingMasking() throws {
        let td = TimeDistributed(Dense(units: 2, activation: .tanh))
        try build(td, [3, 4])
        GradientCheck.check(inputs: [GradientCheck.random([2, 3, 4], seed: 14)], parameters: td.parameters) { td($0[0], training: false) }

        let emb = Embedding(inputDim: 5, outputDim: 3)
        try build(emb, [4])
        let ids = Tensor(shape: [2, 4], data: [0, 3, 3, 4, 1, 2, 0, 7])  // 7 is out of range: zeros, no gradient
        GradientCheck.check(inputs: [], parameters: emb.parameters) { _ in emb(ids, training: false) }
        XCTAssertEqual(emb(ids, training: false).scalars.suffix(3), [0, 0, 0])

        var x = GradientCheck.random([2, 3, 2], seed: 15)
        x[flat: 2] = 0; x[flat: 3] = 0
        let masking = Masking()
        let (ys, mask) = masking.forward([x], masks: [nil], training: false)
        XCTAssertEqual(mask?.scalars, [1, 0, 1, 1, 1, 1])
        XCTAssertEqual(ys[0].scalars[2...3], [0, 0])
        GradientCheck.check(inputs: [x], skip: { _, i in i == 2 || i == 3 }) { masking($0[0], training: false) }
    }

    func testDataMovementOps() {
        let x = GradientCheck.random([2, 3, 4], seed: 16), y = GradientCheck.random([2, 3, 2], seed: 17)
        let st = GradientCheck.random([4, 2, 6], seed: 18)
        let m = Tensor(shape: [2, 3], data: [1, 0, 1, 0, 1, 1])
        GradientCheck.check(inputs: [x]) { reverseTime($0[0]) }
        GradientCheck.check(inputs: [x]) { swapBatchTime($0[0]) }
        // swapBatchTime by hand: element (b, t, f) moves to (t, b, f), and twice is the identity.
        let sw = swapBatchTime(x)
        XCTAssertEqual(sw.shape, [3, 2, 4])
        XCTAssertEqual(sw[flat: (2 * 2 + 1) * 4 + 3], x[flat: (1 * 3 + 2) * 4 + 3])
        XCTAssertEqual(swapBatchTime(sw).scalars, x.scalars)
        GradientCheck.check(inputs: [x, y]) { concatenate([$0[0], $0[1]], axis: $0[0].rank - 1) }
        GradientCheck.check(inputs: [x]) { sliceLastAxis($0[0], start: 1, count: 2) }
        GradientCheck.check(inputs: [x]) { maskedMeanOverTime($0[0], mask: m) }
        GradientCheck.check(inputs: [st]) { stateSlot($0[0], slot: 3, offset: 3, width: 3) }
        GradientCheck.check(inputs: [st]) { stateSequence($0[0], width: 3, zeroMask: m, goBackwards: true) }
        // Hand-computed: masked mean of row 0 over steps 0 and 2.
        let mm = maskedMeanOverTime(x, mask: m)
        XCTAssertEqual(mm[flat: 0], (x[flat: 0] + x[flat: 8]) / 2, accuracy: 1e-6)
    }
}

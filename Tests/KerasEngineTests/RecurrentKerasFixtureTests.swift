import XCTest
@testable import KerasEngine

/// Outputs and gradients of the recurrent layers, Embedding and TimeDistributed against
/// real Keras (`Fixtures/keras_reference/layers_rnn.json` from gen_layers_rnn.py, and
/// `rnn_extra.json` from rnn_extra_gen.py), for fixed weights and inputs.
final class RecurrentKerasFixtureTests: XCTestCase {
    static func recurrent(_ cls: String, _ c: [String: Any]) -> RecurrentLayer? {
        guard ["SimpleRNN", "LSTM", "GRU"].contains(cls), let units = c["units"] as? Int else { return nil }
        let seq = c["return_sequences"] as? Bool ?? false, state = c["return_state"] as? Bool ?? false
        let back = c["go_backwards"] as? Bool ?? false, useBias = c["use_bias"] as? Bool ?? true
        let act = (c["activation"] as? String).flatMap { Activation.byName[$0] } ?? .tanh
        let ract = (c["recurrent_activation"] as? String).flatMap { Activation.byName[$0] } ?? .sigmoid
        switch cls {
        case "SimpleRNN":
            var k = SimpleRNN.Config(units: units)
            k.returnSequences = seq; k.returnState = state; k.goBackwards = back; k.useBias = useBias; k.activation = act
            return SimpleRNN(k)
        case "LSTM":
            var k = LSTM.Config(units: units)
            k.returnSequences = seq; k.returnState = state; k.goBackwards = back; k.useBias = useBias
            k.activation = act; k.recurrentActivation = ract
            return LSTM(k)
        case "GRU":
            var k = GRU.Config(units: units)
            k.returnSequences = seq; k.returnState = state; k.goBackwards = back; k.useBias = useBias
            k.activation = act; k.recurrentActivation = ract; k.resetAfter = c["reset_after"] as? Bool ?? true
            return GRU(k)
        default: return nil
        }
    }

    static func layer(_ cls: String, _ c: [String: Any]) throws -> (any Layer)? {
        if let r = recurrent(cls, c) { return r }
        switch cls {
        case "Bidirectional":
            let inner = c["layer"] as! [String: Any]
            let mode = Bidirectional.MergeMode(rawValue: c["merge_mode"] as? String ?? "none")!
            return try Bidirectional(recurrent(inner["class_name"] as! String, inner["config"] as! [String: Any])!, mergeMode: mode)
        case "Embedding":
            return Embedding(inputDim: c["input_dim"] as! Int, outputDim: c["output_dim"] as! Int, maskZero: c["mask_zero"] as? Bool ?? false)
        case "Masking":
            return Masking(maskValue: Float(c["mask_value"] as? Double ?? 0))
        case "Dense":
            return Dense(units: c["units"] as! Int, activation: (c["activation"] as? String).flatMap { Activation.byName[$0] } ?? .linear)
        case "TimeDistributed":
            let inner = c["layer"] as! [String: Any]
            return TimeDistributed(try layer(inner["class_name"] as! String, inner["config"] as! [String: Any]) as! any UnaryLayer)
        default: return nil
        }
    }

    static func intTensor(_ any: Any?) -> Tensor {
        let d = any as! [String: Any]
        return Tensor(shape: d["shape"] as! [Int], data: (d["data"] as! [NSNumber]).map { $0.floatValue })
    }

    /// Runs every case of `topic`; returns how many were checked.
    @discardableResult
    func runFixture(_ topic: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var checked = 0
        for c in try KerasReference.cases(topic) {
            let name = c["name"] as! String, cls = c["class"] as! String, cfg = c["config"] as! [String: Any]
            let x = Self.intTensor((c["inputs"] as! [Any])[0])
            var params: [Parameter] = []
            var run: (Tensor) -> [Tensor]
            if cls == "Sequential" {
                let specs = (cfg["layers"] as! [[String: Any]]).filter { $0["class_name"] as? String != "InputLayer" }
                let model = Sequential(layers: try specs.map { try Self.layer($0["class_name"] as! String, $0["config"] as! [String: Any])! })
                try model.build(inputShapes: [Array(x.shape.dropFirst())], seed: 1)
                params = model.parameters
                run = { model.call([$0], training: false) }
            } else {
                guard let layer = try Self.layer(cls, cfg) else { XCTFail("\(name): no layer for \(cls)", file: file, line: line); continue }
                var ctx = BuildContext(rng: RNG(seed: 1))
                _ = try layer.build(inputShapes: [Array(x.shape.dropFirst())], context: &ctx)
                params = layer.parameters
                run = { layer.forward([$0], training: false) }
            }
            let weights = c["weights"] as! [[String: Any]]
            if let n = c["param_count"] as? Int {
                XCTAssertEqual(params.reduce(0) { $0 + $1.count }, n, "\(name): parameter count", file: file, line: line)
            }
            XCTAssertEqual(params.count, weights.count, "\(name): weight count", file: file, line: line)
            for (p, w) in zip(params, weights) {
                let v = KerasReference.tensor(w["value"])!
                XCTAssertEqual(p.shape, v.shape, "\(name): \(p.name) vs Keras \(w["name"]!)", file: file, line: line)
                p.value = v
            }
            // Forward and gradients of Σ_i sum(output_i · w_i).
            let isFloat = ((c["inputs"] as! [[String: Any]])[0]["dtype"] as? String) == nil
            let tape = Tape()
            for p in params { tape.watch(p) }
            let xin = isFloat ? tape.watch(x) : x
            let outs = run(xin)
            let wantOuts = (c["outputs"] as! [Any]).map { KerasReference.tensor($0)! }
            let ows = (c["output_weights"] as! [Any]).map { KerasReference.tensor($0)! }
            XCTAssertEqual(outs.count, wantOuts.count, "\(name): output count", file: file, line: line)
            for (k, (o, w)) in zip(outs, wantOuts).enumerated() {
                XCTAssertEqual(o.shape, w.shape, "\(name): output \(k) shape", file: file, line: line)
                KerasReference.assertClose(o, w, tolerance: 2e-5, "\(name) output \(k)", file: file, line: line)
            }
            var loss = sum(outs[0] * ows[0])
            for k in 1..<Swift.min(outs.count, ows.count) { loss = loss + sum(outs[k] * ows[k]) }
            let pg = tape.gradients(of: loss, for: params)
            if isFloat {
                let tape2 = Tape()
                let xi = tape2.watch(x)
                for p in params { tape2.watch(p) }
                let o2 = run(xi)
                var l2 = sum(o2[0] * ows[0])
                for k in 1..<Swift.min(o2.count, ows.count) { l2 = l2 + sum(o2[k] * ows[k]) }
                let gx = tape2.gradients(of: l2, for: [xi])[0]
                KerasReference.assertClose(gx, KerasReference.tensor((c["grad_inputs"] as! [Any])[0])!, tolerance: 2e-5,
                                           "\(name) d/dx", file: file, line: line)
            }
            for (p, w) in zip(params, weights) {
                guard let want = KerasReference.tensor(w["grad"]) else { continue }
                KerasReference.assertClose(pg[p]!, want, tolerance: 2e-5, "\(name) d/d\(p.name)", file: file, line: line)
            }
            checked += 1
        }
        return checked
    }

    func testLayersRNNFixture() throws {
        let n = try runFixture("layers_rnn")
        XCTAssertGreaterThanOrEqual(n, 37, "every layers_rnn case ran")
    }

    func testExtraFixture() throws {
        let n = try runFixture("rnn_extra")
        XCTAssertGreaterThanOrEqual(n, 20, "every rnn_extra case ran")
    }

    /// 12 units and batch 20 (rnn_wide_gen.py): the fused gate loops' full eight-lane block
    /// and tail, and the time loops on two slices of rows in parallel.
    func testWideBatchedFixture() throws {
        let saved = ParallelBatch.threads
        defer { ParallelBatch.threads = saved }
        for threads in [1, 2] {
            ParallelBatch.threads = threads
            let n = try runFixture("rnn_wide")
            XCTAssertEqual(n, 8, "every rnn_wide case ran with \(threads) thread(s)")
        }
    }

    /// Parameter counts equal Keras's count_params() (rnn_extra.json param_counts).
    func testParameterCounts() throws {
        let want: [String: Int] = [
            "LSTM(128) on 28x28": 80_384, "GRU(64) on 28x28": 18_048, "GRU(64, reset_after=False) on 28x28": 17_856,
            "SimpleRNN(32) on 10x10": 1_376, "Bidirectional(LSTM(16)) on 7x8": 3_200, "Embedding(1000, 64)": 64_000,
        ]
        func count(_ layer: any Layer, _ shape: [Int]) throws -> Int {
            var ctx = BuildContext(rng: RNG(seed: 1))
            _ = try layer.build(inputShapes: [shape], context: &ctx)
            return layer.parameterCount
        }
        var gru = GRU.Config(units: 64); gru.resetAfter = false
        let got: [String: Int] = [
            "LSTM(128) on 28x28": try count(LSTM(units: 128), [28, 28]),
            "GRU(64) on 28x28": try count(GRU(units: 64), [28, 28]),
            "GRU(64, reset_after=False) on 28x28": try count(GRU(gru), [28, 28]),
            "SimpleRNN(32) on 10x10": try count(SimpleRNN(units: 32), [10, 10]),
            "Bidirectional(LSTM(16)) on 7x8": try count(try Bidirectional(LSTM(units: 16)), [7, 8]),
            "Embedding(1000, 64)": try count(Embedding(inputDim: 1000, outputDim: 64), [12]),
        ]
        XCTAssertEqual(got, want)
        // The fixture holds the same numbers, straight from Keras.
        let url = Bundle.module.url(forResource: "Fixtures/keras_reference/rnn_extra", withExtension: "json")!
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for entry in root["param_counts"] as! [[String: Any]] {
            XCTAssertEqual(want[entry["name"] as! String], entry["param_count"] as? Int, "\(entry["name"]!)")
        }
    }
}

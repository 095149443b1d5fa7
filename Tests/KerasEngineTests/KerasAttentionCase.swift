import XCTest
@testable import KerasEngine

/// One attention case of a Keras reference fixture (gen_attention.py,
/// gen_attention_masks.py): sets Keras's weights on `layer` (same order and shapes), then
/// checks the outputs of `run(inputs)` and the gradients of Σ output·w with respect to the
/// inputs and every weight. `prefix` is the layer's weight-name prefix.
enum KerasAttentionCase {
    static func check(_ c: [String: Any], layer: any Layer, prefix: String, inputs: [Tensor],
                      run: ([Tensor]) -> [Tensor], file: StaticString = #filePath, line: UInt = #line) {
        let name = c["name"] as! String
        let weights = c["weights"] as! [[String: Any]]
        XCTAssertEqual(layer.parameterCount, c["param_count"] as? Int, "\(name): parameter count", file: file, line: line)
        XCTAssertEqual(layer.parameters.count, weights.count, "\(name): weight count", file: file, line: line)
        for (p, w) in zip(layer.parameters, weights) {
            let v = KerasReference.tensor(w["value"])!
            XCTAssertEqual(p.shape, v.shape, "\(name): \(p.name) vs Keras \(w["name"]!)", file: file, line: line)
            XCTAssertEqual(p.name, prefix + (w["name"] as! String), "\(name): weight order", file: file, line: line)
            p.value = v
        }
        let wantOuts = (c["outputs"] as! [Any]).map { KerasReference.tensor($0)! }
        let ows = (c["output_weights"] as! [Any]).map { KerasReference.tensor($0)! }
        let outs = run(inputs)
        XCTAssertEqual(outs.count, wantOuts.count, "\(name): output count", file: file, line: line)
        for (k, (o, w)) in zip(outs, wantOuts).enumerated() {
            XCTAssertEqual(o.shape, w.shape, "\(name): output \(k) shape", file: file, line: line)
            KerasReference.assertClose(o, w, tolerance: 2e-5, "\(name) output \(k)", file: file, line: line)
        }
        func loss(_ outs: [Tensor]) -> Tensor {
            zip(outs, ows).map { sum($0 * $1) }.dropFirst().reduce(sum(outs[0] * ows[0]), +)
        }
        let tape = Tape()
        let tracked = inputs.map { tape.watch($0) }
        let gx = tape.gradients(of: loss(run(tracked)), for: tracked)
        for (k, want) in (c["grad_inputs"] as! [Any]).enumerated() {
            KerasReference.assertClose(gx[k], KerasReference.tensor(want)!, tolerance: 5e-5, "\(name) d/dinput\(k)", file: file, line: line)
        }
        let weightTape = Tape()
        for p in layer.parameters { weightTape.watch(p) }
        let pg = weightTape.gradients(of: loss(run(inputs)), for: layer.parameters)
        for (p, w) in zip(layer.parameters, weights) {
            KerasReference.assertClose(pg[p]!, KerasReference.tensor(w["grad"])!, tolerance: 5e-5, "\(name) d/d\(p.name)", file: file, line: line)
        }
    }
}

extension KerasAttentionCase {
    /// Builds `layer` for inputs of `shapes` (batch 2 added), draws them from `seed` on,
    /// and checks by central differences the gradients of all its outputs (flattened per
    /// example, side by side) with respect to every input and weight, given `masks`.
    static func checkGradients(_ layer: any MaskAware, shapes: [[Int]], seed: UInt64, masks: [Tensor?] = [],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        var ctx = BuildContext(rng: RNG(seed: seed))
        _ = try layer.build(inputShapes: shapes, context: &ctx)
        let xs = shapes.enumerated().map { GradientCheck.random([2] + $0.element, seed: seed + 1 + UInt64($0.offset)) }
        let report = GradientCheck.check(inputs: xs, parameters: layer.parameters, eps: 1e-2, tolerance: 2e-2) { ins in
            let outs = layer.forward(ins, masks: masks, training: false).outputs
            return concatenate(outs.map { reshape($0, [2, $0.count / 2]) }, axis: 1)
        }
        XCTAssertEqual(report.checked, xs.reduce(0) { $0 + $1.count } + layer.parameterCount, layer.typeName, file: file, line: line)
    }
}

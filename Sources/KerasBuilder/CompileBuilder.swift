import KerasEngine
import KerasSpec
import KerasText

/// `compile:` → optimizer, one loss per output, loss weights and metrics, checked
/// against the model's output names.
public enum CompileBuilder {
    /// Compiles `model`. `requireLoss` is true for `train` (SPEC: the loss has no default).
    public static func compile(_ model: Model, spec: Spec, requireLoss: Bool, targetShapes: [[Int]]? = nil) throws {
        let c = spec.compile
        let optimizer = try OptimizerRegistry.table.make(c.optimizer)
        let outputs = model.outputNames
        var losses: [(any Loss)?] = Array(repeating: nil, count: outputs.count)
        switch c.loss {
        case nil:
            if requireLoss { throw (c.node ?? spec.root).error("training needs a loss: add 'loss:' under compile (e.g. sparse_categorical_crossentropy)", path: "compile") }
        case let .all(o)?:
            try checkNotAnOutput(o, outputs: outputs, what: "loss", known: LossRegistry.table.contains(o.name))
            let l = try LossRegistry.table.make(o)
            losses = outputs.map { _ in l }
        case let .byOutput(named)?:
            losses = try perOutput(named, outputs: outputs, what: "loss").map { try $0.map { try LossRegistry.table.make($0) } }
            if requireLoss, losses.allSatisfy({ $0 == nil }) { throw (c.node ?? spec.root).error("no output has a loss", path: "compile.loss") }
        }
        var weights = Array(repeating: Float(1), count: outputs.count)
        switch c.lossWeights {
        case nil: break
        case let .all(w)?: weights = outputs.map { _ in Float(w) }
        case let .byOutput(named)?:
            weights = try perOutput(named, outputs: outputs, what: "loss_weights").map { Float($0 ?? 1) }
        }
        var metricSpecs: [[ObjectSpec]] = Array(repeating: [], count: outputs.count)
        switch c.metrics {
        case let .all(ms): metricSpecs = outputs.map { _ in ms }
        case let .byOutput(named): metricSpecs = try perOutput(named, outputs: outputs, what: "metrics").map { $0 ?? [] }
        }
        let metrics: [[any Metric]] = try metricSpecs.enumerated().map { i, specs in
            try specs.map { o in
                do {
                    return try MetricRegistry.make(o, context: .init(lossName: losses[i]?.name, targetShape: targetShapes.flatMap { $0.indices.contains(i) ? $0[i] : nil }, outputShape: model.outputShapes[i]))
                } catch let e as SpecError {
                    // `metrics: {clss: [accuracy]}` reads as one object named 'clss': say it is a misspelt output.
                    try checkNotAnOutput(o, outputs: outputs, what: "metrics", known: false)
                    throw e
                }
            }
        }
        model.compile(optimizer: optimizer, losses: losses, lossWeights: weights, metrics: metrics)
    }

    /// A one-key map such as `loss: {clss: mse}` is read as an object named `clss`; when that
    /// name is not a known `what` but is close to an output name, the user meant a per-output map.
    private static func checkNotAnOutput(_ o: ObjectSpec, outputs: [String], what: String, known: Bool) throws {
        guard !known, outputs.count > 1, let guess = suggest(o.name, among: outputs) else { return }
        throw o.nameNode.error("unknown output '\(o.name)' in \(what); did you mean '\(guess)'? (outputs are \(outputs.joined(separator: ", ")))", path: "compile")
    }

    private static func perOutput<T>(_ named: [Named<T>], outputs: [String], what: String) throws -> [T?] {
        if let bad = named.first(where: { !outputs.contains($0.name) }) {
            throw bad.node.error("'\(bad.name)' is not an output of the model (outputs: \(outputs.joined(separator: ", ")))", path: "compile.\(what)")
        }
        return outputs.map { o in named.first { $0.name == o }?.value }
    }
}

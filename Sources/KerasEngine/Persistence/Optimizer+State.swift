/// The optimizer's scalar state, saved as JSON beside its slot tensors.
public struct OptimizerState: Codable, Equatable, Sendable {
    /// Keras's optimizer name (e.g. `RMSprop`), checked on restore.
    public var optimizer: String
    /// Steps taken (Keras `iterations`).
    public var iterations: Int
    /// A rate set by ReduceLROnPlateau / LearningRateScheduler, if any.
    public var learningRateOverride: Float?
    public init(optimizer: String, iterations: Int, learningRateOverride: Float?) {
        self.optimizer = optimizer; self.iterations = iterations; self.learningRateOverride = learningRateOverride
    }
}

/// Saving and restoring what an optimizer has learned, so a resumed run steps exactly
/// as an uninterrupted one. Slot tensors are named `<parameter name>/<slot name>`,
/// e.g. `dense/kernel/velocity`.
extension Optimizer {
    public var state: OptimizerState {
        OptimizerState(optimizer: rule.name, iterations: iterations, learningRateOverride: learningRateOverride)
    }

    /// Every slot tensor, sorted by parameter name then in slot order.
    public var slotTensors: [(String, Tensor)] {
        let names = rule.slotNames
        var out: [(String, Tensor)] = []
        for p in slots.keys.sorted() {
            for (i, t) in slots[p]!.enumerated() where i < names.count { out.append(("\(p)/\(names[i])", t)) }
        }
        return out
    }

    /// Restores `state` and `slotTensors` saved from an optimizer of the same kind for the
    /// same `parameters`. All-or-nothing: nothing changes when anything does not fit.
    public func restore(state: OptimizerState, slotTensors named: [String: Tensor], parameters: [Parameter]) throws {
        guard state.optimizer == rule.name else {
            throw PersistenceError.incompatibleState("the saved optimizer state is for \(state.optimizer), the model uses \(rule.name)")
        }
        guard state.iterations >= 0 else { throw PersistenceError.incompatibleState("negative optimizer iterations \(state.iterations)") }
        let names = rule.slotNames
        let byName = Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var found: [String: [Tensor?]] = [:]
        for (key, t) in named {
            guard let slot = names.firstIndex(where: { key.hasSuffix("/" + $0) }) else {
                throw PersistenceError.incompatibleState("optimizer slot '\(key)' names none of \(rule.name)'s slots (\(names.joined(separator: ", ")))")
            }
            let pname = String(key.dropLast(names[slot].count + 1))
            guard let p = byName[pname] else { throw PersistenceError.incompatibleState("optimizer slot '\(key)' is for weight '\(pname)', which the model does not have") }
            guard t.shape == p.shape else { throw PersistenceError.shapeMismatch(name: key, expected: p.shape, got: t.shape) }
            found[pname, default: Array(repeating: nil, count: names.count)][slot] = t.detached
        }
        var restored: [String: [Tensor]] = [:]
        for (pname, ts) in found {
            guard ts.allSatisfy({ $0 != nil }) else {
                let missing = names.indices.filter { ts[$0] == nil }.map { "\(pname)/\(names[$0])" }
                throw PersistenceError.incompatibleState("optimizer slot '\(missing[0])' is missing")
            }
            restored[pname] = ts.map { $0! }
        }
        if state.iterations > 0, !names.isEmpty {
            for p in parameters where p.trainable && restored[p.name] == nil {
                throw PersistenceError.incompatibleState("optimizer slot '\(p.name)/\(names[0])' is missing")
            }
        }
        slots = restored
        iterations = state.iterations
        learningRateOverride = state.learningRateOverride
    }
}

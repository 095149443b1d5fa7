/// A layer that draws random numbers while training (Dropout, noise layers). Its
/// generator state is saved with the training state so a resumed run draws the same
/// masks as an uninterrupted one.
public protocol RandomStateful: AnyObject {
    var randomState: RNG { get set }
    /// False when the layer's settings draw nothing (an LSTM without dropout): no state is saved.
    var drawsRandomNumbers: Bool { get }
}

extension RandomStateful {
    public var drawsRandomNumbers: Bool { true }
}

extension Model {
    /// The generator state of every random layer, keyed by layer name.
    public var randomStates: [String: RNG] {
        var out: [String: RNG] = [:]
        for l in layers { if let r = l as? RandomStateful, r.drawsRandomNumbers { out[l.name] = r.randomState } }
        return out
    }

    /// Restores the states saved by `randomStates`; every random layer must have one.
    public func restoreRandomStates(_ states: [String: RNG]) throws {
        let random = layers.compactMap { l in (l as? RandomStateful).flatMap { $0.drawsRandomNumbers ? (l.name, $0) : nil } }
        let names = Set(random.map(\.0))
        for name in states.keys.sorted() where !names.contains(name) {
            throw PersistenceError.incompatibleState("the saved random state is for layer '\(name)', which the model does not have or which draws no random numbers")
        }
        for (name, _) in random where states[name] == nil {
            throw PersistenceError.incompatibleState("no saved random state for layer '\(name)' (older versions saved only Dropout's), so the run cannot continue as it would have; train it again")
        }
        for (name, s) in states where s.s0 | s.s1 | s.s2 | s.s3 == 0 {
            throw PersistenceError.incompatibleState("the saved random state of layer '\(name)' is all zeros, which the generator cannot leave")
        }
        for (name, layer) in random { layer.randomState = states[name]! }
    }
}

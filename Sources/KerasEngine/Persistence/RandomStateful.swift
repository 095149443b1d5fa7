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

/// A layer that holds layers which draw random numbers (Bidirectional, TimeDistributed).
public protocol RandomStatefulContainer: AnyObject {
    /// The inner random layers, each with a key unique within this layer.
    var randomLayers: [(key: String, layer: any RandomStateful)] { get }
}

extension Model {
    /// Every layer that draws random numbers, keyed by its name; a container's inner layers
    /// as "container/key".
    var randomLayers: [(key: String, layer: any RandomStateful)] {
        var out: [(key: String, layer: any RandomStateful)] = []
        for l in layers {
            if let r = l as? RandomStateful, r.drawsRandomNumbers { out.append((l.name, r)) }
            if let c = l as? RandomStatefulContainer {
                for (key, r) in c.randomLayers where r.drawsRandomNumbers { out.append((l.name + "/" + key, r)) }
            }
        }
        return out
    }

    /// The generator state of every random layer, keyed as ``randomLayers``.
    public var randomStates: [String: RNG] {
        var out: [String: RNG] = [:]
        for (key, r) in randomLayers { out[key] = r.randomState }
        return out
    }

    /// Restores the states saved by `randomStates`; every random layer must have one.
    public func restoreRandomStates(_ states: [String: RNG]) throws {
        let random = randomLayers
        let names = Set(random.map(\.key))
        for name in states.keys.sorted() where !names.contains(name) {
            throw PersistenceError.incompatibleState("the saved random state is for layer '\(name)', which the model does not have or which draws no random numbers")
        }
        for (name, _) in random where states[name] == nil {
            throw PersistenceError.incompatibleState("no saved random state for layer '\(name)' (older versions saved only Dropout's), so the run cannot continue as it would have; train it again")
        }
        for (name, s) in states where s.s0 | s.s1 | s.s2 | s.s3 == 0 {
            throw PersistenceError.incompatibleState("the saved random state of layer '\(name)' is all zeros, which the generator cannot leave")
        }
        for (name, layer) in random { if let s = states[name] { layer.randomState = s } }
    }
}

extension Bidirectional: RandomStatefulContainer {
    public var randomLayers: [(key: String, layer: any RandomStateful)] {
        [(forwardLayer.name, forwardLayer), (backwardLayer.name, backwardLayer)]
    }
}

extension TimeDistributed: RandomStatefulContainer {
    public var randomLayers: [(key: String, layer: any RandomStateful)] {
        (layer as? any RandomStateful).map { [(self.layer.name, $0)] } ?? []
    }
}

/// A nested model's random layers, keyed by their names inside it ("backbone/dropout"; deeper
/// nesting adds a level per model). A frozen nested model runs in inference mode and draws
/// nothing, so it lists none.
extension ModelLayer: RandomStatefulContainer {
    public var randomLayers: [(key: String, layer: any RandomStateful)] {
        trainable ? model.randomLayers : []
    }
}

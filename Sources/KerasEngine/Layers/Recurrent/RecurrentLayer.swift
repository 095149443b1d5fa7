/// What SimpleRNN, LSTM and GRU share: Keras's `RNN` layer around one cell.
///
/// Input (batch, time, features). The input projection of all steps is one GEMM
/// (x·kernel, time-major); the recurrence, gates and state updates of the whole sequence are one
/// fused op (`recurrentSequence`) with its own backward through time. Outputs: the last
/// h (batch, units), or every h (batch, time, units) with `returnSequences` (in
/// processing order, so reversed when `goBackwards`, as Keras); `returnState` appends
/// the final states (h, and c for LSTM). Weights, in get_weights() order: kernel
/// (features, gates·units), recurrent_kernel (units, gates·units), bias.
public class RecurrentLayer: Layer, GraphMaskReader, LossContributing, RandomStateful {
    /// A layer's settings: its cell, units and the shared ``RecurrentOptions`` (read
    /// through, as `options.goBackwards`); each layer's `Config` holds the defaults.
    @dynamicMemberLookup
    struct Options: ComposesRecurrentOptions {
        var kind: RecurrentCellKind
        var units: Int
        var unitForgetBias: Bool
        var recurrentOptions: RecurrentOptions

        init(kind: RecurrentCellKind, units: Int, unitForgetBias: Bool, recurrent: RecurrentOptions) {
            (self.kind, self.units, self.unitForgetBias, recurrentOptions) = (kind, units, unitForgetBias, recurrent)
            recurrentOptions.dropout = Swift.min(1, Swift.max(0, recurrent.dropout))
            recurrentOptions.recurrentDropout = Swift.min(1, Swift.max(0, recurrent.recurrentDropout))
        }
    }

    public var name: String
    let options: Options
    /// Keras's zero_output_for_mask: masked steps of the returned sequence read 0 instead
    /// of the carried output (Bidirectional sets it when returning sequences).
    public var zeroOutputForMask = false
    public private(set) var cell: RecurrentCellSpec?
    public private(set) var kernel: Parameter?
    public private(set) var recurrentKernel: Parameter?
    public private(set) var bias: Parameter?
    public var lossTerms: [Tensor] = []
    private var rng = RNG(seed: 0)

    required init(name: String, options: Options) {
        precondition(options.units > 0, "\(options.kind) units must be positive")
        self.name = name
        self.options = options
    }

    public var units: Int { options.units }
    public var returnSequences: Bool { options.returnSequences }
    public var returnState: Bool { options.returnState }
    public var goBackwards: Bool { options.goBackwards }
    /// Keras's cell name, the middle of the weight paths (`lstm/lstm_cell/kernel`).
    var cellName: String { "cell" }
    /// The same layer with `go_backwards` flipped (Bidirectional's backward layer).
    func reversedCopy(name: String) -> RecurrentLayer {
        var o = options
        o.goBackwards.toggle()
        return type(of: self).init(name: name, options: o)
    }

    public var parameters: [Parameter] { [kernel, recurrentKernel, bias].compactMap { $0 } }

    /// The generator of the dropout masks (saved for resume).
    public var randomState: RNG { get { rng } set { rng = newValue } }
    public var drawsRandomNumbers: Bool { options.dropout > 0 || options.recurrentDropout > 0 }

    public func build(inputShapes: [[Int]], context: inout BuildContext) throws -> [[Int]] {
        guard inputShapes.count == 1 else { throw ShapeError(layer: name, "expects 1 input, got \(inputShapes.count)") }
        let shape = inputShapes[0]
        guard shape.count == 2, shape[0] > 0, shape[1] > 0 else {
            throw ShapeError(layer: name, "expected input of shape (None, timesteps, features), got \(kerasShape(shape))")
        }
        guard let act = RecurrentActivation(options.activation), let ract = RecurrentActivation(options.recurrentActivation) else {
            throw ShapeError(layer: name, "activation '\(options.activation.name)' / recurrent_activation '\(options.recurrentActivation.name)': "
                             + "recurrent layers accept activations whose derivative follows from their output (not gelu, silu, mish, hard_silu, softmax, log_softmax)")
        }
        let (T, features, u, G) = (shape[0], shape[1], options.units, options.kind.gates)
        if let k = kernel {
            guard k.shape[0] == features else {
                throw ShapeError(layer: name, "expected input with \(k.shape[0]) features, got \(kerasShape(shape))")
            }
        } else {
            cell = RecurrentCellSpec(kind: options.kind, units: u, activation: act, recurrentActivation: ract)
            rng = options.seed.map { RNG(seed: $0) } ?? context.rng.fork()
            let prefix = "\(name)/\(cellName)", w = options.weightOptions
            kernel = w.makeKernel(layer: prefix, shape: [features, G * u], rng: &context.rng)
            recurrentKernel = Parameter(name: prefix + "/recurrent_kernel", value: options.recurrentInitializer.make([u, G * u], rng: &context.rng),
                                        regularizer: options.recurrentRegularizer, constraint: options.recurrentConstraint)
            bias = w.makeBias(layer: prefix, shape: [G * u], rng: &context.rng, value: makeBias)
        }
        let out = options.returnSequences ? [T, u] : [u]
        return [out] + (options.returnState ? Array(repeating: [u], count: options.kind.stateBlocks) : [])
    }

    private func makeBias(_ rng: inout RNG) -> Tensor {
        let u = options.units, G = options.kind.gates
        if options.kind == .gru(resetAfter: true) { return options.biasInitializer.make([2, G * u], rng: &rng) }
        guard options.kind == .lstm, options.unitForgetBias, !WeightAllocation.skipsValues else { return options.biasInitializer.make([G * u], rng: &rng) }
        // Keras: concat(bias_initializer(u), ones(u), bias_initializer(2u)).
        let i = options.biasInitializer.make([u], rng: &rng), rest = options.biasInitializer.make([2 * u], rng: &rng)
        return Tensor(shape: [G * u], data: i.scalars + [Float](repeating: 1, count: u) + rest.scalars)
    }

    public func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        forward(inputs, masks: [], training: training).outputs
    }

    /// Keras's RNN.compute_mask: the input's mask on the sequence output, none otherwise.
    public func computeMask(inputs: [Tensor], masks: [Tensor?]) -> Tensor? { options.returnSequences ? masks.firstMask : nil }

    public func forward(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> (outputs: [Tensor], mask: Tensor?) {
        let mask = masks.firstMask
        guard let cell, let kernel, let recurrentKernel else { preconditionFailure("\(typeName) '\(name)' used before build") }
        let x = inputs[0]
        let (b, T, u, G) = (x.shape[0], x.shape[1], options.units, options.kind.gates)
        // Keras implementation 1 (per-gate dropout masks) whenever recurrent_dropout is set.
        let perGate = options.kind != .simple && options.recurrentDropout > 0
        let dropping = training && options.dropout > 0 && options.dropout < 1
        // The sequence op runs time-major: swap (b, T, f) to (T, b, f) before the projection.
        let z: Tensor
        if dropping && perGate {
            z = concatenate((0..<G).map { g in
                matmul(swapBatchTime(x * dropoutMask([b, 1, x.shape[2]], options.dropout)), sliceLastAxis(kernel.value, start: g * u, count: u))
            }, axis: 2)
        } else if dropping {
            z = matmul(swapBatchTime(x * dropoutMask([b, 1, x.shape[2]], options.dropout)), kernel.value)
        } else {
            z = matmul(swapBatchTime(x), kernel.value)
        }
        var recurrentMasks: [Tensor]?
        if training && options.recurrentDropout > 0 && options.recurrentDropout < 1 {
            recurrentMasks = (0..<(perGate ? G : 1)).map { _ in dropoutMask([b, u], options.recurrentDropout) }
        }
        let states = recurrentSequence(z, recurrentKernel: recurrentKernel.value, bias: bias?.value, cell: cell,
                                       mask: mask, recurrentDropout: recurrentMasks, goBackwards: options.goBackwards)
        var outputs = [options.returnSequences
            ? stateSequence(states, width: u, zeroMask: zeroOutputForMask ? mask : nil, goBackwards: options.goBackwards)
            : stateSlot(states, slot: T, offset: 0, width: u)]
        if options.returnState {
            for k in 0..<options.kind.stateBlocks { outputs.append(stateSlot(states, slot: T, offset: k * u, width: u)) }
        }
        if let r = options.activityRegularizer {
            for y in outputs { lossTerms.append(r.activityTerm(y)) }
        }
        return (outputs, options.returnSequences ? mask : nil)
    }

    /// A Keras dropout mask: each value 1/(1-rate) with probability 1-rate, else 0.
    private func dropoutMask(_ shape: [Int], _ rate: Float) -> Tensor {
        var m = Tensor(uninitializedShape: shape)
        let p = m.freshPointer, keep = 1 - rate, scale = 1 / keep
        for i in 0..<m.count { p[i] = rng.uniformFloat() < keep ? scale : 0 }
        return m
    }
}

/// A learning rate as a function of the optimizer's step count (Keras schedules).
public protocol LearningRateSchedule {
    func callAsFunction(step: Int) -> Float
}

/// A fixed learning rate.
public struct ConstantLearningRate: LearningRateSchedule {
    public var value: Float
    public init(_ value: Float) { self.value = value }
    public func callAsFunction(step: Int) -> Float { value }
}

/// The per-variable update of one optimizer algorithm (Keras's `update_step`).
/// State is explicit: `slots` holds this rule's per-parameter tensors, each with the
/// parameter's shape, created with `initialSlotValue`.
public protocol UpdateRule: AnyObject {
    /// Names of the per-parameter slots, e.g. `["momentum"]` or `["m", "v"]`.
    var slotNames: [String] { get }
    func initialSlotValue(_ slot: Int) -> Float
    /// Called once per optimizer step before any parameter is updated (`step` is 1-based).
    func beginStep(_ step: Int, learningRate: Float)
    /// Updates `value` in place from `grad`.
    func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int)
    /// Keras's name for the optimizer.
    var name: String { get }
}

extension UpdateRule {
    public func initialSlotValue(_ slot: Int) -> Float { 0 }
    public func beginStep(_ step: Int, learningRate: Float) {}
}

/// Keras's `Optimizer` base: learning rate (or schedule), gradient clipping
/// (clipnorm, clipvalue, global_clipnorm), decoupled weight decay, the iteration
/// counter, and one `UpdateRule` doing the algorithm's math.
public final class Optimizer {
    public let rule: any UpdateRule
    public var learningRate: any LearningRateSchedule
    public var clipnorm: Float?
    public var clipvalue: Float?
    public var globalClipnorm: Float?
    public var weightDecay: Float?
    /// Steps taken (Keras `iterations`).
    public var iterations = 0
    /// Per-parameter slots, keyed by parameter name (saved for resume).
    public var slots: [String: [Tensor]] = [:]
    /// Overrides the schedule (set by ReduceLROnPlateau / LearningRateScheduler).
    public var learningRateOverride: Float?

    public init(_ rule: any UpdateRule, learningRate: any LearningRateSchedule, clipnorm: Float? = nil,
                clipvalue: Float? = nil, globalClipnorm: Float? = nil, weightDecay: Float? = nil) {
        self.rule = rule; self.learningRate = learningRate
        self.clipnorm = clipnorm; self.clipvalue = clipvalue; self.globalClipnorm = globalClipnorm
        self.weightDecay = weightDecay
    }

    /// The learning rate the next step will use.
    public var currentLearningRate: Float { learningRateOverride ?? learningRate(step: iterations) }

    /// One step over `parameters` (trainable ones only), Keras's `apply_gradients`.
    public func apply(_ gradients: Gradients, to parameters: [Parameter]) {
        let params = parameters.filter(\.trainable)
        var grads = params.map { gradients[$0] ?? Tensor(shape: $0.shape) }
        clip(&grads)
        let lr = currentLearningRate
        let step = iterations + 1
        rule.beginStep(step, learningRate: lr)
        for (p, g) in zip(params, grads) {
            var state = slots[p.name] ?? rule.slotNames.indices.map { Tensor(shape: p.shape, repeating: rule.initialSlotValue($0)) }
            if let wd = weightDecay, wd > 0 {
                let f = 1 - lr * wd
                p.value.withMutableData { v in for i in 0..<v.count { v[i] *= f } }
            }
            var ptrs: [UnsafeMutablePointer<Float>] = []
            for i in state.indices { state[i].withMutableData { ptrs.append($0.baseAddress!) } }
            let gp = g.pointer
            p.value.withMutableData { v in
                rule.update(value: v.baseAddress!, grad: gp, count: v.count, slots: ptrs, learningRate: lr, step: step)
            }
            slots[p.name] = state
            p.constraint?(&p.value)
        }
        iterations += 1
    }

    /// Keras's clipping: per-tensor norm, per-value, then global norm.
    private func clip(_ grads: inout [Tensor]) {
        if let c = clipnorm {
            for i in grads.indices {
                let n = grads[i].withData { b in b.reduce(0) { $0 + Double($1) * Double($1) } }.squareRoot()
                if n > Double(c) { let s = Float(Double(c) / n); grads[i].withMutableData { d in for j in 0..<d.count { d[j] *= s } } }
            }
        }
        if let c = clipvalue {
            for i in grads.indices { grads[i].withMutableData { d in for j in 0..<d.count { d[j] = Swift.min(Swift.max(d[j], -c), c) } } }
        }
        if let c = globalClipnorm {
            let n = grads.reduce(0.0) { acc, g in acc + g.withData { b in b.reduce(0) { $0 + Double($1) * Double($1) } } }.squareRoot()
            if n > Double(c) {
                let s = Float(Double(c) / n)
                for i in grads.indices { grads[i].withMutableData { d in for j in 0..<d.count { d[j] *= s } } }
            }
        }
    }
}

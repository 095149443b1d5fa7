import KerasKernels

/// The per-variable update of one optimizer algorithm (Keras's `update_step`).
/// State is explicit: `slots` holds this rule's per-parameter tensors, created with
/// `slotShape` (the parameter's shape unless the rule factors it) and `initialSlotValue`.
///
/// A rule's own Keras arguments live in its nested `Config` (the only place their defaults
/// are written); `defaultLearningRate` (and `defaultWeightDecay`) are Keras's base-argument
/// defaults for that optimizer class.
public protocol UpdateRule: AnyObject {
    /// Keras's default `learning_rate` for this optimizer class.
    static var defaultLearningRate: Float { get }
    /// Keras's default `weight_decay` (nil except for AdamW).
    static var defaultWeightDecay: Float? { get }
    /// Keras's class name for the optimizer.
    var name: String { get }
    /// Names of the per-parameter slots, e.g. `["momentum"]` or `["momentum", "velocity"]`.
    var slotNames: [String] { get }
    /// The shape of slot `slot` for a parameter of `shape`.
    func slotShape(_ slot: Int, for shape: [Int]) -> [Int]
    func initialSlotValue(_ slot: Int) -> Float
    /// Called once per optimizer step before any parameter is updated (`step` is 1-based,
    /// Keras's `iterations + 1`).
    func beginStep(_ step: Int, learningRate: Float)
    /// Updates `value` in place from `grad`; every slot has the parameter's element count.
    func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int,
                slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int)
    /// The same with the parameter's shape (for rules whose slots are factored, e.g. Adafactor).
    func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, shape: [Int],
                slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int)
    /// True when each element's update depends on that element alone (no norms over the
    /// tensor, no factored slots), so a large tensor may be updated in parallel slices.
    var isElementwise: Bool { get }
}

extension UpdateRule {
    /// Keras's base `Optimizer` default; SGD declares its own (0.01).
    public static var defaultLearningRate: Float { 0.001 }
    /// The Keras class name: the Swift class is named after it (`Adam`, `AdamW`, `RMSprop`).
    public var name: String { String(describing: type(of: self)) }
    public var isElementwise: Bool { true }
    public static var defaultWeightDecay: Float? { nil }
    public func slotShape(_ slot: Int, for shape: [Int]) -> [Int] { shape }
    public func initialSlotValue(_ slot: Int) -> Float { 0 }
    public func beginStep(_ step: Int, learningRate: Float) {}
    public func update(value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, shape: [Int],
                       slots: [UnsafeMutablePointer<Float>], learningRate lr: Float, step: Int) {
        update(value: value, grad: grad, count: shape.reduce(1, *), slots: slots, learningRate: lr, step: step)
    }
}

/// Keras's `Optimizer` base: learning rate (or schedule), gradient clipping (clipnorm,
/// clipvalue, global_clipnorm — at most one), decoupled weight decay, gradient
/// accumulation, the iteration counter, and one `UpdateRule` doing the algorithm's math.
///
/// One step, as Keras's `apply`: parameters without a gradient are skipped; then
/// `g ← clip(g)`; `w ← w − w·wd·lr` (weight decay, before the update); `update_step`;
/// constraints; `iterations += 1`. The learning rate is `schedule(iterations)`.
public final class Optimizer {
    public let rule: any UpdateRule
    public var learningRate: any LearningRateSchedule {
        didSet { (rule as? Adafactor)?.learningRateIsSchedule = !(learningRate is ConstantLearningRate) }
    }
    public var clipnorm: Float?
    public var clipvalue: Float?
    public var globalClipnorm: Float?
    public var weightDecay: Float?
    /// Keras `gradient_accumulation_steps`: gradients are summed over this many calls and
    /// their mean applied on every `n`-th (nil: every call).
    public var gradientAccumulationSteps: Int?
    /// Calls to `apply` (Keras's `_iterations`; the schedule's step). With gradient
    /// accumulation the update rules see `iterations / gradientAccumulationSteps + 1` as t.
    public var iterations = 0
    /// Per-parameter slots, keyed by parameter name (saved for resume).
    public var slots: [String: [Tensor]] = [:]
    /// Gradient accumulators, keyed by parameter name (with `gradientAccumulationSteps`).
    public var accumulatedGradients: [String: Tensor] = [:]
    /// Overrides the schedule (set by ReduceLROnPlateau / LearningRateScheduler).
    public var learningRateOverride: Float?

    /// `learningRate` defaults to the rule's Keras default; `weightDecay` to the rule's
    /// (0.004 for AdamW, else none). When several clipping arguments are given, Keras's
    /// precedence applies (clipnorm, then global_clipnorm, then clipvalue); use
    /// `validated(...)` to reject that as Keras does.
    public init(_ rule: any UpdateRule, learningRate: (any LearningRateSchedule)? = nil, clipnorm: Float? = nil,
                clipvalue: Float? = nil, globalClipnorm: Float? = nil, weightDecay: Float? = nil,
                gradientAccumulationSteps: Int? = nil) {
        self.rule = rule
        self.learningRate = learningRate ?? ConstantLearningRate(type(of: rule).defaultLearningRate)
        self.clipnorm = clipnorm; self.clipvalue = clipvalue; self.globalClipnorm = globalClipnorm
        self.weightDecay = weightDecay ?? type(of: rule).defaultWeightDecay
        self.gradientAccumulationSteps = gradientAccumulationSteps
        (rule as? Adafactor)?.learningRateIsSchedule = !(self.learningRate is ConstantLearningRate)
    }

    /// As `init`, validating the base arguments as Keras's `Optimizer.__init__` does.
    public static func validated(_ rule: any UpdateRule, learningRate: (any LearningRateSchedule)? = nil,
                                 clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
                                 weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) throws -> Optimizer {
        let clips = [clipnorm, clipvalue, globalClipnorm].filter { $0 != nil }.count
        if clips > 1 {
            throw OptimizerError.conflictingClipping(optimizer: rule.name, clipnorm: clipnorm, clipvalue: clipvalue,
                                                     globalClipnorm: globalClipnorm)
        }
        if let n = gradientAccumulationSteps, n < 2 {
            throw OptimizerError.invalidArgument(owner: rule.name, argument: "gradient_accumulation_steps",
                                                 value: "\(n)", expected: "an integer >= 2")
        }
        for (name, v) in [("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", globalClipnorm),
                          ("weight_decay", weightDecay)] {
            if let v, !(v >= 0) || !v.isFinite {
                throw OptimizerError.invalidArgument(owner: rule.name, argument: name, value: "\(v)",
                                                     expected: "a non-negative float")
            }
        }
        return Optimizer(rule, learningRate: learningRate, clipnorm: clipnorm, clipvalue: clipvalue,
                         globalClipnorm: globalClipnorm, weightDecay: weightDecay,
                         gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// The learning rate the next step will use.
    public var currentLearningRate: Float { learningRateOverride ?? learningRate(step: iterations) }

    /// One step over `parameters` (trainable ones with a gradient), Keras's `apply_gradients`.
    public func apply(_ gradients: Gradients, to parameters: [Parameter]) {
        var params: [Parameter] = [], grads: [Tensor] = []
        for p in parameters where p.trainable {
            guard let g = gradients[p] else { continue }
            params.append(p); grads.append(g)
        }
        defer { iterations += 1 }
        guard !params.isEmpty else { return }
        if let n = gradientAccumulationSteps, n > 1 {
            // Keras applies the constraints after every call, accumulating ones included.
            guard accumulate(&grads, params, steps: n) else { params.forEach { $0.applyConstraint() }; return }
        }
        clip(&grads)
        let lr = currentLearningRate
        // Keras's `iterations` property (the rules' t − 1) counts applied updates only.
        let step = (gradientAccumulationSteps.map { $0 > 1 ? iterations / $0 : iterations } ?? iterations) + 1
        if let wd = weightDecay { decay(params, wd: wd, lr: lr) }
        rule.beginStep(step, learningRate: lr)
        for (p, g) in zip(params, grads) {
            // Taken out of the dictionary so the in-place writes below do not copy (COW).
            var state = slots.removeValue(forKey: p.name) ?? rule.slotNames.indices.map {
                Tensor(shape: rule.slotShape($0, for: p.shape), repeating: rule.initialSlotValue($0))
            }
            var ptrs: [UnsafeMutablePointer<Float>] = []
            for i in state.indices { state[i].withMutableData { ptrs.append($0.baseAddress!) } }
            let gp = g.pointer, shape = p.shape
            p.value.withMutableData { v in
                let count = v.count
                if rule.isElementwise && count >= 1 << 16 && ParallelBatch.threads > 1 {
                    // A large weight's update is memory-bound: slices on every core.
                    let base = v.baseAddress!
                    ParallelBatch.run(count, chunks: ParallelBatch.threads) { _, r in
                        withDenormalsFlushed {
                            rule.update(value: base + r.lowerBound, grad: gp + r.lowerBound, count: r.count,
                                        slots: ptrs.map { $0 + r.lowerBound }, learningRate: lr, step: step)
                        }
                    }
                } else {
                    withDenormalsFlushed {
                        rule.update(value: v.baseAddress!, grad: gp, shape: shape, slots: ptrs, learningRate: lr, step: step)
                    }
                }
            }
            slots[p.name] = state
            p.applyConstraint()
        }
    }

    /// Runs an update with denormals flushed to zero on this thread, as Keras's backends
    /// compute (TensorFlow and JAX set FTZ and DAZ on CPU; both give 1e-39 × 1 = 0). Slots
    /// decay geometrically towards zero (RMSprop's v ← 0.9·v for a weight whose gradient
    /// stopped), and every vector op on a denormal takes a microcode assist: after two
    /// epochs of the seed MLP 4% of its first kernel's velocities were denormal, and in the
    /// third RMSprop's update of that kernel took twice as long. The weights come out the
    /// same (bit for bit over the MLP's epochs): a denormal slot or gradient moves a weight
    /// by far less than its last bit. The slots hold 0 where they held a denormal.
    @inline(__always)
    private func withDenormalsFlushed(_ body: () -> Void) {
        let saved = kk_denormals_flush()
        body()
        kk_denormals_restore(saved)
    }

    /// Keras's `_apply_weight_decay`: w ← w − w·wd·lr (float32, in Keras's operation order).
    private func decay(_ params: [Parameter], wd: Float, lr: Float) {
        for p in params {
            p.value.withMutableData { v in for i in 0..<v.count { v[i] = v[i] - v[i] * wd * lr } }
        }
    }

    /// Adds this call's gradients to the accumulators; on an update call (every `n`-th
    /// iteration) replaces `grads` with (g + acc)/n, resets the accumulators and returns true.
    private func accumulate(_ grads: inout [Tensor], _ params: [Parameter], steps n: Int) -> Bool {
        let isUpdate = (iterations + 1) % n == 0
        for (i, p) in params.enumerated() {
            var acc = accumulatedGradients.removeValue(forKey: p.name) ?? Tensor(shape: p.shape)
            let gp = grads[i].pointer
            if isUpdate {
                let out = Tensor(uninitializedShape: p.shape)
                let po = out.freshPointer, pa = acc.pointer, s = Float(n)
                for j in 0..<p.count { po[j] = (gp[j] + pa[j]) / s }
                grads[i] = out
                accumulatedGradients[p.name] = Tensor(shape: p.shape)
            } else {
                acc.withMutableData { a in for j in 0..<a.count { a[j] += gp[j] } }
                accumulatedGradients[p.name] = acc
            }
        }
        return isUpdate
    }

    /// Keras's `_clip_gradients`: the first set of clipnorm (per tensor: g·c/max(‖g‖, c)),
    /// global_clipnorm (all: g·c·min(1/‖G‖, 1/c)) and clipvalue (clip to [−c, c]).
    private func clip(_ grads: inout [Tensor]) {
        func sumSquares(_ t: Tensor) -> Float { t.withData { b in b.reduce(0) { $0 + $1 * $1 } } }
        if let c = clipnorm, c > 0 {
            for i in grads.indices {
                let n = sumSquares(grads[i]).squareRoot()
                let denom = Swift.max(n, c)
                grads[i] = mapped(grads[i]) { $0 * c / denom }
            }
        } else if let c = globalClipnorm, c > 0 {
            let n = grads.reduce(Float(0)) { $0 + sumSquares($1) }.squareRoot()
            let scale = c * Swift.min(1 / n, 1 / c) + (n - n)
            for i in grads.indices { grads[i] = mapped(grads[i]) { $0 * scale } }
        } else if let c = clipvalue, c > 0 {
            for i in grads.indices { grads[i] = mapped(grads[i]) { Swift.min(Swift.max($0, -c), c) } }
        }
    }

    private func mapped(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape)
        let src = t.pointer, dst = out.freshPointer
        for i in 0..<t.count { dst[i] = f(src[i]) }
        return out
    }
}

/// Eight-lane helpers for the pointwise loops (recurrent cells, activations, optimizer
/// updates): SIMD8 loads and stores that also handle a row's tail, and an elementwise
/// pass split over the threads for large buffers.

/// Eight floats: the vector width of the recurrent kernels' pointwise loops (two SSE
/// registers on the baseline x86-64 target, one AVX register where the compiler may use it).
typealias Float8 = SIMD8<Float>
typealias UInt8x8 = SIMD8<UInt32>

/// Runs `body(j, m)` over 0..<n in blocks of eight: j the block's start, m = min(8, n - j).
@inline(__always)
func forEach8(_ n: Int, _ body: (Int, Int) -> Void) {
    var j = 0
    while j < n { body(j, Swift.min(8, n - j)); j += 8 }
}

/// The first `m` floats at `p` (m ≥ 8: all eight; fewer: zero-padded).
@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ m: Int) -> Float8 {
    if m >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: Float8.self) }
    var v = Float8()
    for k in 0..<m { v[k] = p[k] }
    return v
}

@inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>, _ m: Int) -> Float8 { load8(UnsafePointer(p), m) }

/// Stores the first `m` lanes of `v` at `p`.
@inline(__always)
func store8(_ v: Float8, _ p: UnsafeMutablePointer<Float>, _ m: Int) {
    if m >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self); return }
    for k in 0..<m { p[k] = v[k] }
}

extension ParallelBatch {
    /// Values from which a memory-bound pass is split over the threads (smaller ones do
    /// not pay for the region): 2¹⁶, a batch of 128 rows of 512 — the seed MLP's
    /// activations, whose passes ran on one core while the other waited (about 3% off its
    /// epoch in interleaved runs; 2¹⁸ before the workers spun across serial gaps).
    static let elementwiseMinimum = 1 << 16

    /// Values from which a compute-bound pass (a transcendental function per value:
    /// exp, tanh, erf) is split over the threads.
    static let computeMinimum = 1 << 14

    /// Runs `body` over 0..<count: one contiguous range per thread when the pass is large
    /// enough (`minimum`: `elementwiseMinimum` for memory-bound passes), else one range inline.
    static func elementwise(_ count: Int, minimum: Int = elementwiseMinimum, _ body: (Range<Int>) -> Void) {
        let parts = count >= minimum ? threads : 1
        if parts > 1 { run(count, chunks: parts) { _, r in body(r) } } else { body(0..<count) }
    }

    /// `elementwise` over `lines` lines of `length` values each (a matrix's rows, or its
    /// columns): ranges of whole lines, split when the lines hold `elementwiseMinimum` values.
    static func elementwise(lines: Int, length: Int, _ body: (Range<Int>) -> Void) {
        elementwise(lines, minimum: Swift.max(1, elementwiseMinimum / Swift.max(length, 1)), body)
    }
}

/// d = g where y > 0, else 0, over `range` (ReLU's backward from its output), branch-free.
@inline(__always)
func reluBackward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let o = range.lowerBound
    forEach8(range.count) { j, m in
        let gv = load8(g + o + j, m)
        store8(gv.replacing(with: 0, where: .!(load8(y + o + j, m) .> 0)), d + o + j, m)
    }
}

/// y = max(x, 0) over `range`, branch-free; NaN stays NaN, as in Keras.
@inline(__always)
func reluForward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let o = range.lowerBound
    forEach8(range.count) { j, m in
        let v = load8(x + o + j, m)
        store8(v.replacing(with: 0, where: v .< 0), y + o + j, m)
    }
}

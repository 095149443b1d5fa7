import Foundation

/// Axis ticks at "nice" steps (1, 2 or 5 times a power of ten), as plotting libraries place
/// them: about `target` ticks covering `lo...hi`, and the range widened to whole steps.
struct Ticks {
    let lo: Double, hi: Double, step: Double

    init(_ lo: Double, _ hi: Double, target: Int = 5) {
        var lo = lo, hi = hi
        if !(hi > lo) { let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1; lo -= pad; hi += pad }
        let raw = (hi - lo) / Double(Swift.max(1, target))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        self.step = step
        self.lo = (lo / step).rounded(.down) * step
        self.hi = (hi / step).rounded(.up) * step
    }

    var values: [Double] {
        // Finite data can still span more than Double holds (±1e308): then one tick.
        let q = ((hi - lo) / step).rounded()
        guard q.isFinite, q >= 0 else { return [lo] }
        return (0...Int(Swift.min(q, 49))).map { lo + Double($0) * step }
    }

    /// A tick's label with as many decimals as the step needs.
    func label(_ v: Double) -> String {
        let d = (-log10(step)).rounded(.up)
        let decimals = d.isFinite ? Swift.max(0, Int(Swift.min(d, 8))) : 0
        return String(format: "%.\(Swift.min(decimals, 8))f", Swift.abs(v) < step / 1e6 ? 0 : v)
    }
}

import XCTest
@testable import KerasEngine

/// Central-difference gradient checks. The loss is sum(f(inputs) * w) for a fixed
/// random `w`, so every output element's gradient path is exercised.
enum GradientCheck {
    struct Report { var checked = 0; var worst: Float = 0 }

    /// Checks d(loss)/d(input) for each input and d(loss)/d(p) for each parameter.
    /// `skip` excludes points near kinks (e.g. ReLU at 0): given (input index, element index).
    @discardableResult
    static func check(inputs: [Tensor], parameters: [Parameter] = [], eps: Float = 1e-2, tolerance: Float = 2e-2,
                      seed: UInt64 = 7, skip: ((Int, Int) -> Bool)? = nil,
                      file: StaticString = #filePath, line: UInt = #line,
                      _ f: ([Tensor]) -> Tensor) -> Report {
        var rng = RNG(seed: seed)
        let probe = f(inputs)
        var w = Tensor(shape: probe.shape)
        for i in 0..<w.count { w[flat: i] = Float(rng.normal()) }
        func lossValue(_ xs: [Tensor]) -> Double {
            let y = f(xs)
            var s = 0.0
            for i in 0..<y.count { s += Double(y[flat: i]) * Double(w[flat: i]) }
            return s
        }
        // Analytic.
        let tape = Tape()
        for p in parameters { tape.watch(p) }
        let tracked = inputs.map { tape.watch($0) }
        let loss = sum(f(tracked) * w)
        let inputGrads = tape.gradients(of: loss, for: tracked)
        let tape2 = Tape()
        for p in parameters { tape2.watch(p) }
        let loss2 = sum(f(inputs) * w)
        let paramGrads = tape2.gradients(of: loss2, for: parameters)
        var report = Report()
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            let err = Swift.abs(Double(analytic) - numeric) / Swift.max(1, Swift.abs(numeric))
            report.worst = Swift.max(report.worst, Float(err))
            report.checked += 1
            if err > Double(tolerance) {
                XCTFail("\(what): analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
            }
        }
        for (k, x) in inputs.enumerated() {
            for i in 0..<x.count {
                if let skip, skip(k, i) { continue }
                var xs = inputs
                xs[k][flat: i] = x[flat: i] + eps
                let up = lossValue(xs)
                xs[k][flat: i] = x[flat: i] - eps
                let down = lossValue(xs)
                compare(inputGrads[k][flat: i], (up - down) / Double(2 * eps), "input \(k)[\(i)]")
            }
        }
        for p in parameters {
            guard let g = paramGrads[p] else { XCTFail("no gradient for \(p.name)", file: file, line: line); continue }
            for i in 0..<p.count {
                let orig = p.value[flat: i]
                p.value[flat: i] = orig + eps
                let up = lossValue(inputs)
                p.value[flat: i] = orig - eps
                let down = lossValue(inputs)
                p.value[flat: i] = orig
                compare(g[flat: i], (up - down) / Double(2 * eps), "\(p.name)[\(i)]")
            }
        }
        XCTAssertGreaterThan(report.checked, 0, "the gradient check compared nothing", file: file, line: line)
        return report
    }

    /// A tensor of standard-normal values (scaled).
    static func random(_ shape: [Int], seed: UInt64 = 1, scale: Float = 1) -> Tensor {
        var rng = RNG(seed: seed)
        var t = Tensor(shape: shape)
        for i in 0..<t.count { t[flat: i] = scale * Float(rng.normal()) }
        return t
    }
}

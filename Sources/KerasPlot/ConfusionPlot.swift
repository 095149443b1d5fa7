/// A confusion matrix as a picture, as scikit-learn's `ConfusionMatrixDisplay` draws it:
/// rows the true class, columns the predicted class, each cell shaded by its count (white to
/// blue, "Blues") with the count written in it; class names along both axes.
public enum ConfusionPlot {
    /// `counts[i][j]`: examples of true class i predicted as j; `names` one per class.
    /// Class names longer than `maxName` characters are cut (with "…") in the picture.
    public static func render(_ counts: [[Int]], names full: [String], format: PictureFormat, title: String = "Confusion matrix") throws -> [UInt8] {
        let n = counts.count
        guard n > 0, full.count == n, counts.allSatisfy({ $0.count == n }) else { throw PlotError("a confusion matrix needs one row and one column per class") }
        let names = full.map { $0.count > maxName ? String($0.prefix(maxName - 1)) + "…" : $0 }
        guard n <= 100 else { throw PlotError("\(n) classes are too many to draw (at most 100); the text table has them all") }
        let cell = n <= 12 ? 48.0 : Swift.max(12, 576 / Double(n))
        let fontSize = Swift.min(13, cell / 3.4)
        // Measure the labels on a scratch canvas to size the margins.
        let probe = try Canvas(width: 1, height: 1, format: .png)
        let label = names.map { probe.textWidth($0, size: fontSize) }.max() ?? 0
        let left = 40 + label + 12, top = 44.0, bottom = 40 + label + 12
        let width = Int(left + cell * Double(n) + 30), height = Int(top + cell * Double(n) + bottom)
        let c = try Canvas(width: width, height: height, format: format)
        c.text(title, left + cell * Double(n) / 2, 28, size: 15, anchor: .center, bold: true)
        let peak = Swift.max(1, counts.joined().max() ?? 1)
        for i in 0..<n {
            for j in 0..<n {
                let v = counts[i][j], t = Double(v) / Double(peak)
                let x = left + Double(j) * cell, y = top + Double(i) * cell
                c.fill(x, y, cell, cell, blues(t))
                c.text(String(v), x + cell / 2, y + cell / 2 + fontSize / 3, size: fontSize, anchor: .center, color: t > 0.5 ? .white : .text)
            }
        }
        c.stroke(left, top, cell * Double(n), cell * Double(n), .text)
        for (i, name) in names.enumerated() {
            c.text(name, left - 6, top + (Double(i) + 0.5) * cell + fontSize / 3, size: fontSize, anchor: .right)
            // Column names read upwards, as matplotlib's rotated tick labels.
            c.text(name, left + (Double(i) + 0.5) * cell + fontSize / 3, top + cell * Double(n) + 6, size: fontSize, anchor: .right, rotate: .pi / 2)
        }
        c.text("Predicted label", left + cell * Double(n) / 2, Double(height) - 10, size: 12, anchor: .center)
        c.text("True label", 16, top + cell * Double(n) / 2, size: 12, anchor: .center, rotate: .pi / 2)
        return try c.bytes()
    }

    static let maxName = 32

    /// matplotlib's "Blues" from its lightest (t = 0) to its darkest (t = 1), linearly
    /// between five of its stops.
    static func blues(_ t: Double) -> Canvas.Color {
        let stops: [Canvas.Color] = [.init(r: 0.969, g: 0.984, b: 1.0), .init(r: 0.776, g: 0.859, b: 0.937),
                                     .init(r: 0.420, g: 0.682, b: 0.839), .init(r: 0.129, g: 0.443, b: 0.710),
                                     .init(r: 0.031, g: 0.188, b: 0.420)]
        let u = Swift.min(1, Swift.max(0, t)) * Double(stops.count - 1)
        let i = Swift.min(Int(u), stops.count - 2), f = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        return .init(r: a.r + (b.r - a.r) * f, g: a.g + (b.g - a.g) * f, b: a.b + (b.b - a.b) * f)
    }
}

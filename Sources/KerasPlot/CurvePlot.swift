/// Training curves, one panel per quantity (loss, each metric), each with its series
/// (training and validation) against the epoch: what Keras users draw from
/// `history.history` with matplotlib. Points that are not finite are left out.
public enum CurvePlot {
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        public init(label: String, x: [Double], y: [Double]) { self.label = label; self.x = x; self.y = y }
    }

    public struct Panel: Sendable {
        public var title: String
        public var series: [Series]
        public init(title: String, series: [Series]) { self.title = title; self.series = series }
    }

    static let panelWidth = 460, panelHeight = 300, columnsMax = 2

    public static func render(_ panels: [Panel], format: PictureFormat, xLabel: String = "epoch") throws -> [UInt8] {
        guard !panels.isEmpty else { throw PlotError("nothing to plot") }
        let columns = Swift.min(columnsMax, panels.count), rows = (panels.count + columns - 1) / columns
        let canvas = try Canvas(width: columns * panelWidth, height: rows * panelHeight, format: format)
        for (i, panel) in panels.enumerated() {
            draw(panel, on: canvas, x: Double((i % columns) * panelWidth), y: Double((i / columns) * panelHeight), xLabel: xLabel)
        }
        return try canvas.bytes()
    }

    static let palette: [Canvas.Color] = [.train, .validation, .init(r: 0.173, g: 0.627, b: 0.173), .init(r: 0.839, g: 0.153, b: 0.157)]

    private static func draw(_ panel: Panel, on c: Canvas, x: Double, y: Double, xLabel: String) {
        let left = x + 62, right = x + Double(panelWidth) - 18, top = y + 34, bottom = y + Double(panelHeight) - 44
        let points = panel.series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite } }
        c.text(panel.title, (left + right) / 2, y + 22, size: 14, anchor: .center, bold: true)
        guard let x0 = points.map(\.0).min(), let x1 = points.map(\.0).max(),
              let y0 = points.map(\.1).min(), let y1 = points.map(\.1).max() else {
            c.text("no finite values", (left + right) / 2, (top + bottom) / 2, anchor: .center)
            return
        }
        let xt = Ticks(x0, x1 > x0 ? x1 : x0 + 1, target: Swift.min(8, Swift.max(1, Int(x1 - x0))))
        let yt = Ticks(y0, y1, target: 5)
        func px(_ v: Double) -> Double { left + (v - xt.lo) / (xt.hi - xt.lo) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - yt.lo) / (yt.hi - yt.lo) * (bottom - top) }
        for v in yt.values {
            c.line([(left, py(v)), (right, py(v))], .grid)
            c.text(yt.label(v), left - 6, py(v) + 4, size: 11, anchor: .right)
        }
        for v in xt.values {
            c.line([(px(v), top), (px(v), bottom)], .grid)
            c.text(xt.label(v), px(v), bottom + 16, size: 11, anchor: .center)
        }
        c.stroke(left, top, right - left, bottom - top, .text)
        c.text(xLabel, (left + right) / 2, bottom + 34, size: 12, anchor: .center)
        for (i, s) in panel.series.enumerated() {
            let color = palette[i % palette.count]
            // Runs of finite points are joined; a non-finite value breaks the line.
            var run: [(Double, Double)] = []
            for (a, b) in zip(s.x, s.y) {
                if a.isFinite && b.isFinite { run.append((px(a), py(b))) } else { c.line(run, color, width: 2); run = [] }
            }
            c.line(run, color, width: 2)
            for (a, b) in zip(s.x, s.y) where a.isFinite && b.isFinite { c.dot(px(a), py(b), radius: 3, color) }
        }
        // The legend in a white box, in the corner covering the fewest points (matplotlib's "best").
        let labelWidth = panel.series.map { c.textWidth($0.label, size: 11) }.max() ?? 0
        let boxW = labelWidth + 40, boxH = Double(panel.series.count) * 16 + 8
        let corners = [(right - boxW - 6, top + 6), (right - boxW - 6, bottom - boxH - 6), (left + 6, top + 6), (left + 6, bottom - boxH - 6)]
        let pixels = points.map { (px($0.0), py($0.1)) }
        let (boxX, boxY) = corners.min { a, b in
            func covered(_ p: (Double, Double)) -> Int {
                pixels.filter { $0.0 >= p.0 - 4 && $0.0 <= p.0 + boxW + 4 && $0.1 >= p.1 - 4 && $0.1 <= p.1 + boxH + 4 }.count
            }
            return covered(a) < covered(b)
        } ?? corners[0]
        c.fill(boxX, boxY, boxW, boxH, .white)
        c.stroke(boxX, boxY, boxW, boxH, .grid)
        for (i, s) in panel.series.enumerated() {
            let color = palette[i % palette.count], y = boxY + 16 + Double(i) * 16
            c.line([(boxX + 8, y - 4), (boxX + 28, y - 4)], color, width: 2)
            c.text(s.label, boxX + 34, y, size: 11)
        }
    }
}

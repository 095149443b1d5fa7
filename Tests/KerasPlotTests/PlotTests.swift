import CCairo
import Foundation
import XCTest
@testable import KerasPlot

/// The pictures, decoded again (PNG through cairo, SVG as text) and checked where their
/// content is known: sizes from the layout, the series' colours where the lines are, the
/// confusion matrix's shades, Graphviz's labels.
final class PlotTests: XCTestCase {
    func testFormatFromExtension() {
        XCTAssertEqual(PictureFormat(path: "runs/curves.png"), .png)
        XCTAssertEqual(PictureFormat(path: "a.b/MODEL.SVG"), .svg)
        XCTAssertNil(PictureFormat(path: "curves.jpg"))
        XCTAssertNil(PictureFormat(path: "runs.png/curves"))
        XCTAssertNil(PictureFormat(path: "curves"))
    }

    func testNiceTicks() {
        // By hand: range 0.74 / 5 = 0.148 → step 0.2 (1, 2, 5 × 0.1), widened to 0...1.
        let t = Ticks(0.13, 0.87)
        XCTAssertEqual(t.step, 0.2, accuracy: 1e-12)
        XCTAssertEqual(t.lo, 0); XCTAssertEqual(t.hi, 1, accuracy: 1e-12)
        XCTAssertEqual(t.values.map(t.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // Epochs 1...20, 8 ticks: 19 / 8 = 2.4 → step 5.
        let e = Ticks(1, 20, target: 8)
        XCTAssertEqual(e.step, 5); XCTAssertEqual(e.values.map(e.label), ["0", "5", "10", "15", "20"])
        // A flat series still gets a range; a span beyond Double gives one tick, no trap.
        XCTAssertGreaterThan(Ticks(2, 2).hi, 2)
        XCTAssertEqual(Ticks(-1e308, 1e308).values.count, 1)
    }

    func testCurvesDrawEachSeriesInItsColour() throws {
        let epochs = (1...10).map(Double.init)
        let panels = [CurvePlot.Panel(title: "loss", series: [.init(label: "train", x: epochs, y: epochs.map { 1 / $0 }),
                                                               .init(label: "validation", x: epochs, y: epochs.map { 1.2 / $0 })]),
                      CurvePlot.Panel(title: "accuracy", series: [.init(label: "train", x: epochs, y: epochs.map { 1 - 0.5 / $0 })])]
        let png = try Image(CurvePlot.render(panels, format: .png))
        XCTAssertEqual(png.width, 2 * CurvePlot.panelWidth); XCTAssertEqual(png.height, CurvePlot.panelHeight)
        let left = png.count { $0.x < CurvePlot.panelWidth }, right = png.count { $0.x >= CurvePlot.panelWidth }
        XCTAssertGreaterThan(left(.train), 200); XCTAssertGreaterThan(left(.validation), 200)
        XCTAssertGreaterThan(right(.train), 200); XCTAssertEqual(right(.validation), 0, "accuracy has no validation series")
        let svg = String(decoding: try CurvePlot.render(panels, format: .svg), as: UTF8.self)
        XCTAssertTrue(svg.contains("<svg") && svg.contains("width=\"920\""), String(svg.prefix(300)))
    }

    func testNonFiniteValuesAreSkipped() throws {
        let p = CurvePlot.Panel(title: "loss", series: [.init(label: "train", x: [1, 2, 3], y: [.nan, .infinity, .nan])])
        XCTAssertNoThrow(try CurvePlot.render([p], format: .png))
        XCTAssertThrowsError(try CurvePlot.render([], format: .png))
    }

    func testConfusionMatrixShadesByCount() throws {
        let counts = [[50, 0], [10, 40]]
        let png = try Image(ConfusionPlot.render(counts, names: ["cat", "dog"], format: .png))
        // The peak (50) is Blues' darkest, a zero its lightest: both present, in about a cell each (48×48).
        let darkest = ConfusionPlot.blues(1), lightest = ConfusionPlot.blues(0)
        XCTAssertGreaterThan(png.count { _ in true }(darkest), 1500)
        XCTAssertGreaterThan(png.count { _ in true }(lightest), 1500)
        XCTAssertThrowsError(try ConfusionPlot.render([[1, 2]], names: ["a"], format: .png))
    }

    func testOversizedPicturesAreErrorsNotCrashes() throws {
        // 300 panels: 150 rows of 300 px, past cairo's 32767.
        let many = (0..<300).map { CurvePlot.Panel(title: "m\($0)", series: [.init(label: "train", x: [1], y: [1])]) }
        XCTAssertThrowsError(try CurvePlot.render(many, format: .png)) { XCTAssertTrue($0 is PlotError) }
        // A class name of 100,000 characters is cut in the picture (the picture stays small).
        let png = try Image(ConfusionPlot.render([[1, 0], [0, 1]], names: [String(repeating: "x", count: 100_000), "y"], format: .png))
        XCTAssertLessThan(png.width, 600)
    }

    func testGraphvizDrawsTheNodesAndEdges() throws {
        let dot = "digraph g { a [label=\"input_layer\"]; b [label=\"dense\"]; c [label=\"add\"]; a -> b; a -> c; b -> c; }"
        let svg = String(decoding: try GraphRender.render(dot: dot, format: .svg), as: UTF8.self)
        for label in ["input_layer", "dense", "add"] { XCTAssertTrue(svg.contains(">\(label)</text>"), label) }
        XCTAssertEqual(svg.components(separatedBy: "class=\"edge\"").count - 1, 3)
        let png = try GraphRender.render(dot: dot, format: .png)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertThrowsError(try GraphRender.render(dot: "digraph { a -> ", format: .svg)) {
            XCTAssertTrue("\($0)".contains("syntax error"), "\($0)")
        }
    }

    func testQuotingForDOT() {
        XCTAssertEqual(GraphRender.quoted("a\"b\\c"), "\"a\\\"b\\\\c\"")
        XCTAssertEqual(GraphRender.html("<x & y>"), "&lt;x &amp; y&gt;")
    }
}

/// A PNG decoded by cairo, for counting pixels of a colour.
private struct Image {
    var width = 0, height = 0
    var pixels: [UInt32] = []

    init(_ png: [UInt8]) throws {
        final class Reader { var bytes: [UInt8]; var at = 0; init(_ b: [UInt8]) { bytes = b } }
        let reader = Reader(png)
        let read: cairo_read_func_t = { closure, data, length in
            let r = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            guard let data, r.at + Int(length) <= r.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            for i in 0..<Int(length) { data[i] = r.bytes[r.at + i] }
            r.at += Int(length)
            return CAIRO_STATUS_SUCCESS
        }
        let s = cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(reader).toOpaque())
        defer { cairo_surface_destroy(s) }
        guard cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else { throw PlotError("not a PNG") }
        width = Int(cairo_image_surface_get_width(s)); height = Int(cairo_image_surface_get_height(s))
        let stride = Int(cairo_image_surface_get_stride(s)) / 4
        let data = cairo_image_surface_get_data(s)!.withMemoryRebound(to: UInt32.self, capacity: stride * height) { $0 }
        for y in 0..<height { for x in 0..<width { pixels.append(data[y * stride + x]) } }
    }

    /// A counter of the pixels `where` selects that are within 2/255 per channel of a colour.
    func count(where select: @escaping ((x: Int, y: Int)) -> Bool) -> (Canvas.Color) -> Int {
        { c in
            var n = 0
            for (i, p) in pixels.enumerated() where select((i % width, i / width)) {
                let r = Double((p >> 16) & 0xFF), g = Double((p >> 8) & 0xFF), b = Double(p & 0xFF)
                if abs(r - c.r * 255) <= 2 && abs(g - c.g * 255) <= 2 && abs(b - c.b * 255) <= 2 { n += 1 }
            }
            return n
        }
    }
}

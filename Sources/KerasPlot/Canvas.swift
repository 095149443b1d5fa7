import CCairo

/// A cairo drawing surface that ends as PNG or SVG bytes: an image surface written out
/// with `cairo_surface_write_to_png_stream`, or an SVG surface writing into a buffer.
/// Drawing helpers cover what the plots need: lines, rectangles, text (cairo's toy font
/// API, sans-serif), in user units of one pixel.
final class Canvas {
    let width: Double, height: Double
    let format: PictureFormat
    private let surface: OpaquePointer
    let cr: OpaquePointer
    private let sink = ByteSink()

    /// cairo's largest image side.
    static let maxSide = 32767

    init(width: Int, height: Int, format: PictureFormat) throws {
        guard (1...Self.maxSide).contains(width), (1...Self.maxSide).contains(height) else {
            throw PlotError("a \(width)×\(height) picture is larger than cairo draws (\(Self.maxSide) pixels a side)")
        }
        self.width = Double(width); self.height = Double(height); self.format = format
        switch format {
        case .png:
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        case .svg:
            surface = cairo_svg_surface_create_for_stream(ByteSink.write, Unmanaged.passUnretained(sink).toOpaque(),
                                                          Double(width), Double(height))
        }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            let why = String(cString: cairo_status_to_string(cairo_surface_status(surface)))
            cairo_surface_destroy(surface)
            throw PlotError("cairo cannot make a \(width)x\(height) surface: \(why)")
        }
        cr = cairo_create(surface)
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        fill(0, 0, self.width, self.height, .white)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    /// Finishes the picture and returns the file's bytes.
    func bytes() throws -> [UInt8] {
        cairo_surface_flush(surface)
        var status: cairo_status_t
        switch format {
        case .png: status = cairo_surface_write_to_png_stream(surface, ByteSink.write, Unmanaged.passUnretained(sink).toOpaque())
        case .svg: cairo_surface_finish(surface); status = cairo_surface_status(surface)
        }
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("cairo could not write the \(format.rawValue): \(String(cString: cairo_status_to_string(status)))") }
        return sink.bytes
    }

    struct Color {
        var r: Double, g: Double, b: Double
        static let white = Color(r: 1, g: 1, b: 1), black = Color(r: 0, g: 0, b: 0)
        static let grid = Color(r: 0.88, g: 0.88, b: 0.88), text = Color(r: 0.15, g: 0.15, b: 0.15)
        /// matplotlib's first two colours (tab:blue, tab:orange), as Keras tutorials' curves.
        static let train = Color(r: 0.122, g: 0.467, b: 0.706), validation = Color(r: 1.0, g: 0.498, b: 0.055)
    }

    func setColor(_ c: Color) { cairo_set_source_rgb(cr, c.r, c.g, c.b) }

    func fill(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: Color) {
        setColor(c); cairo_rectangle(cr, x, y, w, h); cairo_fill(cr)
    }

    func stroke(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ c: Color, width: Double = 1) {
        setColor(c); cairo_set_line_width(cr, width); cairo_rectangle(cr, x, y, w, h); cairo_stroke(cr)
    }

    func line(_ points: [(Double, Double)], _ c: Color, width: Double = 1) {
        guard let first = points.first else { return }
        setColor(c); cairo_set_line_width(cr, width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_move_to(cr, first.0, first.1)
        for p in points.dropFirst() { cairo_line_to(cr, p.0, p.1) }
        cairo_stroke(cr)
    }

    func dot(_ x: Double, _ y: Double, radius: Double, _ c: Color) {
        setColor(c); cairo_new_sub_path(cr); cairo_arc(cr, x, y, radius, 0, 2 * Double.pi); cairo_fill(cr)
    }

    enum Anchor { case left, center, right }

    /// Draws `text` with its baseline's `anchor` point at (x, y), optionally rotated
    /// (radians, counter-clockwise). Returns its width.
    @discardableResult
    func text(_ text: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .left,
              color: Color = .text, bold: Bool = false, rotate: Double = 0) -> Double {
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
        let w = textWidth(text, size: size, bold: bold)
        let dx: Double = switch anchor { case .left: 0; case .center: -w / 2; case .right: -w }
        cairo_save(cr)
        setColor(color)
        cairo_translate(cr, x, y)
        if rotate != 0 { cairo_rotate(cr, -rotate) }
        cairo_move_to(cr, dx, 0)
        cairo_show_text(cr, text)
        cairo_restore(cr)
        return w
    }

    func textWidth(_ text: String, size: Double = 12, bold: Bool = false) -> Double {
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, text, &e)
        return e.x_advance
    }
}

/// Collects what cairo writes through its stream callbacks.
private final class ByteSink {
    var bytes: [UInt8] = []

    static let write: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}

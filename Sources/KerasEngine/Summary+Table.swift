/// The table `summary()` draws, laid out as the `rich` library lays out Keras 3's:
/// fixed column widths from `positions` × `lineLength`, shrunk evenly to fit
/// (rich's `ratio_reduce`), one space of padding each side, heavy header borders,
/// a rule between rows, cells word-wrapped at spaces and cut with `…` when a word
/// does not fit.
struct SummaryTable {
    let header: [String]
    let rightAligned: [Bool]
    /// Content width of each column.
    let widths: [Int]

    init(header: [String], rightAligned: [Bool], positions: [Double], lineLength: Int) {
        self.header = header
        self.rightAligned = rightAligned
        var cells: [Int] = []
        var current = 0
        for p in positions {
            let w = Int(p * Double(lineLength)) - current
            cells.append(w + 2)  // + padding
            current += w
        }
        // The table is `lineLength` wide including its n + 1 borders.
        let maxWidth = lineLength - (positions.count + 1)
        var excess = cells.reduce(0, +) - maxWidth
        if excess > 0 {
            var ratioLeft = cells.count
            for i in cells.indices {
                let share = (Double(excess) / Double(ratioLeft)).rounded(.toNearestOrEven)
                let cut = Swift.min(cells[i], Int(share))
                cells[i] -= cut; excess -= cut; ratioLeft -= 1
            }
        }
        widths = cells.map { Swift.max($0 - 2, 1) }
    }

    func render(_ rows: [[String]]) -> String {
        func rule(_ l: String, _ fill: String, _ mid: String, _ r: String) -> String {
            l + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: mid) + r + "\n"
        }
        func lines(_ cells: [String], _ bar: String) -> String {
            let wrapped = cells.enumerated().map { i, text in Self.wrap(text, width: widths[i], right: rightAligned[i]) }
            let height = wrapped.map(\.count).max() ?? 1
            var out = ""
            for r in 0..<height {
                out += bar + wrapped.enumerated().map { i, ls in " " + (r < ls.count ? ls[r] : String(repeating: " ", count: widths[i])) + " " }
                    .joined(separator: bar) + bar + "\n"
            }
            return out
        }
        var text = rule("┏", "━", "┳", "┓") + lines(header, "┃") + rule("┡", "━", "╇", "┩")
        for (i, row) in rows.enumerated() {
            if i > 0 { text += rule("├", "─", "┼", "┤") }
            text += lines(row, "│")
        }
        return text + rule("└", "─", "┴", "┘")
    }

    /// rich's `divide_line` (no folding) then ellipsis truncation and justification.
    static func wrap(_ text: String, width: Int, right: Bool) -> [String] {
        let chars = Array(text)
        // Words: optional leading spaces, non-spaces, trailing spaces.
        var words: [(start: Int, end: Int)] = []
        var i = 0
        while i < chars.count {
            let start = i
            while i < chars.count, chars[i] == " " { i += 1 }
            while i < chars.count, chars[i] != " " { i += 1 }
            while i < chars.count, chars[i] == " " { i += 1 }
            words.append((start, i))
        }
        var breaks: [Int] = []
        var offset = 0
        for w in words {
            var trimmedEnd = w.end
            while trimmedEnd > w.start, chars[trimmedEnd - 1] == " " { trimmedEnd -= 1 }
            let length = trimmedEnd - w.start
            if width - offset >= length {
                offset += w.end - w.start
            } else if length > width || (offset > 0 && w.start > 0) {
                if w.start > 0 { breaks.append(w.start) }
                offset = w.end - w.start
            }
        }
        var pieces: [[Character]] = []
        var last = 0
        for b in breaks + [chars.count] { pieces.append(Array(chars[last..<b])); last = b }
        return pieces.map { piece in
            var p = piece
            if right { while p.last == " " { p.removeLast() } }
            if p.count > width {
                // rstrip_end: drop trailing spaces beyond the width first.
                while p.count > width, p.last == " " { p.removeLast() }
                if p.count > width { p = Array(p.prefix(width - 1)) + ["…"] }
            }
            let s = String(p), pad = String(repeating: " ", count: width - p.count)
            return right ? pad + s : s + pad
        }
    }
}

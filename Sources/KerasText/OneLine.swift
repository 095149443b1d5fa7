/// Escapes line breaks (`\n` → `\\n`, `\r` → `\\r`, other line separators → a space), so that
/// text from a file (a column name, a tensor name, a YAML key) cannot split an error message
/// over several lines: every error is one line on stderr.
public func oneLine(_ text: String) -> String {
    guard text.contains(where: { $0.isNewline }) else { return text }
    var out = ""
    for c in text {
        switch c {
        case "\n": out += "\\n"
        case "\r", "\r\n": out += "\\r"
        case _ where c.isNewline: out += " "
        default: out.append(c)
        }
    }
    return out
}

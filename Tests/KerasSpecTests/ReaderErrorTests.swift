import Testing
import KerasSpec

/// Issue 13, class 6: every error libyaml can report carries a line and column, and a
/// Keras JSON's errors speak of JSON.

@Test(arguments: [
    ("model:\n  layers: [Dense: 1]\n  x: \u{01}\n", 3, 6),   // a control character
    ("model:\n  layers: [Dense: \u{7f}1]\n", 2, 19),           // DEL
    ("name: a\u{0b}b\nmodel: {layers: [Dense: 1]}\n", 1, 8),      // vertical tab
])
func readerErrorsAreLocated(text: String, line: Int, column: Int) {
    do {
        _ = try Spec.parse(text: text, file: "r.yaml")
        Issue.record("parsed")
    } catch {
        #expect(error.line == line, "\(error)")
        #expect(error.column == column, "\(error)")
        #expect(error.description.hasPrefix("r.yaml:\(line):\(column): YAML syntax error:"), "\(error)")
        #expect(!error.description.contains("\n"))
    }
}

@Test(arguments: [
    "{\"class_name\": \"Sequential\", \"config\": [1, 2\n",
    "{\"class_name\": \"Sequential\",\n \"config\": {\"a\": \u{01}}}",
    "\u{00ef}",
    "",
])
func jsonErrorsSayJSON(text: String) {
    do {
        _ = try KerasJSON.parse(bytes: Array(text.utf8), file: "m.json")
        Issue.record("parsed")
    } catch {
        #expect(!error.description.contains("YAML"), "\(error)")
        #expect(error.description.hasPrefix("m.json"), "\(error)")
    }
}

@Test func jsonSyntaxErrorIsLocatedAndNamedJSON() {
    do {
        _ = try KerasJSON.parse(bytes: Array("{\"class_name\": \"Sequential\",\n \"config\": [1, 2\n".utf8), file: "m.json")
        Issue.record("parsed")
    } catch {
        #expect(error.description.contains("JSON syntax error"), "\(error)")
        #expect(error.line != nil && error.column != nil, "\(error)")
    }
}

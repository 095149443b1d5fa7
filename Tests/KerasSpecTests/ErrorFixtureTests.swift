import Testing
import KerasSpec

/// Each error fixture with the exact one-line error it must produce (file, line, column,
/// path, label and message).
let errorCases: [(file: String, expected: String)] = [
    ("unknown_top_level_key.yaml",
     "errors/unknown_top_level_key.yaml:2:1: unknown top-level key 'modle'; did you mean 'model'?"),
    ("unknown_arg.yaml",
     "errors/unknown_arg.yaml:4:15: model.layers[0] (Dense): unknown argument 'unts' for Dense; did you mean 'units'?"),
    ("wrong_type.yaml",
     "errors/wrong_type.yaml:4:11: fit: epochs must be a positive integer, got 'ten'"),
    ("negative_units.yaml",
     "errors/negative_units.yaml:9:16: model.layers[3] (Dense 'logits'): units must be a positive integer, got -4"),
    ("bad_enum.yaml",
     "errors/bad_enum.yaml:4:53: model.layers[0] (Conv2D): padding must be one of 'valid', 'same', got 'sme'; did you mean 'same'?"),
    ("duplicate_key.yaml",
     "errors/duplicate_key.yaml:7:3: fit: duplicate key 'epochs' (first given on line 5)"),
    ("duplicate_functional_name.yaml",
     "errors/duplicate_functional_name.yaml:7:21: model.layers[1] (Dense 'h'): duplicate name 'h' (first used on line 6)"),
    ("tab_indent.yaml",
     "errors/tab_indent.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 2, column 1); tabs cannot be used for indentation, use spaces"),
    ("syntax_error.yaml",
     "errors/syntax_error.yaml:3:4: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 11)"),
    ("empty.yaml",
     "errors/empty.yaml: file is empty, expected a YAML mapping with at least a 'model' key"),
    ("only_comments.yaml",
     "errors/only_comments.yaml: no YAML document (the file holds only comments), expected a mapping with at least a 'model' key"),
    ("binary.yaml",
     "errors/binary.yaml:2:21: binary file (NUL byte), expected YAML text"),
    ("invalid_utf8.yaml",
     "errors/invalid_utf8.yaml:2:19: binary file (invalid UTF-8), expected YAML text"),
    ("billion_laughs.yaml",
     "errors/billion_laughs.yaml:7:8: document expands to more than 1000000 nodes (aliases expanding exponentially?)"),
    ("deep_nesting.yaml",
     "errors/deep_nesting.yaml:1:107: nesting is deeper than 100 levels"),
    ("multiple_documents.yaml",
     "errors/multiple_documents.yaml:3:1: a second YAML document starts here; a spec holds exactly one document"),
    ("validation_split_range.yaml",
     "errors/validation_split_range.yaml:5:21: fit: validation_split must be a number in (0, 1), got 1.5"),
    ("validation_both.yaml",
     "errors/validation_both.yaml:5:15: fit: give either validation_split or validation, not both"),
    ("huge_units.yaml",
     "errors/huge_units.yaml:3:22: model.layers[0] (Dense): units must be a positive integer, got 99999999999999999999 (too large)"),
    ("unknown_input.yaml",
     "errors/unknown_input.yaml:6:42: model.layers[0] (Dense 'h'): unknown input 'imgae'; did you mean 'image'?"),
    ("input_used_before_defined.yaml",
     "errors/input_used_before_defined.yaml:5:42: model.layers[0] (Dense 'a'): input 'b' is used before its layer is defined (on line 6); list layers in order"),
    ("multi_key_object.yaml",
     "errors/multi_key_object.yaml:3:7: model.layers[0]: expected one object {Name: arguments}, got a map with keys 'Dense', 'units'; indent the arguments under 'Dense'"),
    ("top_level_list.yaml",
     "errors/top_level_list.yaml:1:1: the top level must be a map of keys, got a list"),
    ("missing_model.yaml",
     "errors/missing_model.yaml:1:1: missing required key 'model' (the network: input_shape and layers)"),
    ("scalar_no_main_argument.yaml",
     "errors/scalar_no_main_argument.yaml:3:16: model.layers[0] (Flatten): Flatten takes no single value, give its arguments as a map {name: value}, got 3"),
    ("quoted_number.yaml",
     "errors/quoted_number.yaml:3:22: model.layers[0] (Dense): units must be a positive integer, got '3' (quoted, so a string)"),
    ("unknown_output_loss.yaml",
     "errors/unknown_output_loss.yaml:9:18: compile: unknown output 'bb' in loss; did you mean 'b'? (outputs are a, b)"),
    ("format_typo.yaml",
     "errors/format_typo.yaml:2:19: data.train: format must be one of 'idx', 'csv', got 'cvs'; did you mean 'csv'?"),
    ("unknown_alias.yaml",
     "errors/unknown_alias.yaml:2:12: unknown alias '*nope' (no anchor '&nope' before it)"),
]

@Test("error fixtures produce their exact located error", arguments: errorCases)
func errorFixture(file: String, expected: String) {
    let relative = "errors/" + file
    do {
        let spec = try Fixtures.spec(relative)
        try MiniBuilder.check(spec)
        Issue.record("\(file): expected an error, got none")
    } catch {
        #expect(error.description == expected, "\(file)")
        #expect(!error.description.contains("\n"))
    }
}

@Test func everyErrorFixtureIsListed() {
    // A fixture added without an expectation would silently go untested.
    let listed = Set(errorCases.map(\.file))
    #expect(listed.count == errorCases.count)
    for file in listed { #expect(Fixtures.bytes("errors/" + file) != nil, "\(file)") }
}

@Test func missingFileIsOneLine() {
    #expect(throws: SpecError(file: "no/such/spec.yaml", message: "cannot read file: no such file")) {
        try Spec.load(path: "no/such/spec.yaml")
    }
}

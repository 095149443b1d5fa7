/// One CSV record: its fields and the 1-based physical line it starts on.
struct CSVRecord {
    var fields: [String]
    var line: Int
    /// An empty line (one unquoted field of only spaces or tabs).
    var isBlank: Bool
}

/// An incremental RFC 4180 tokenizer: feed it bytes in chunks of any size, it emits records.
///
/// Quoted fields may contain the delimiter, newlines and doubled quotes (`""`). Lines end
/// with LF, CRLF or a lone CR. A UTF-8 byte-order mark at the start is skipped. A quote
/// inside an unquoted field, text after a closing quote, and an unterminated quote are errors.
struct CSVTokenizer {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    let file: String
    let delimiter: UInt8
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var quoted = false
    private var line = 1
    private var recordLine = 1
    private var quoteLine = 1
    private var afterCR = false
    private var atStart = true

    init(file: String, delimiter: UInt8) {
        self.file = file
        self.delimiter = delimiter
    }

    /// A line break outside quotes: the record ends and the next starts on the next line (a
    /// CR is remembered, so that the LF of a CRLF is not counted again).
    private mutating func endLine(_ c: UInt8, _ emit: (CSVRecord) throws -> Void) throws {
        afterCR = c == 0x0D
        try endRecord(emit)
        line += 1
        recordLine = line
    }

    /// Consumes `bytes`, calling `emit` for every completed record.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (CSVRecord) throws -> Void) throws {
        var start = 0
        if atStart, !bytes.isEmpty {
            atStart = false
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        }
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if afterCR {
                afterCR = false
                if c == 0x0A {            // the LF of a CRLF: the line was already counted
                    if state == .quoted { field.append(c) }
                    continue
                }
            }
            switch state {
            case .fieldStart, .unquoted:
                if c == delimiter {
                    endField()
                } else if c == 0x0A || c == 0x0D {
                    try endLine(c, emit)
                } else if c == 0x22 {
                    if state == .unquoted {
                        throw DataError(file: file, line: line, column: fields.count + 1,
                                        "unexpected '\"' inside an unquoted field (quote the whole field and double inner quotes)")
                    }
                    state = .quoted
                    quoted = true
                    quoteLine = line
                } else {
                    field.append(c)
                    state = .unquoted
                }
            case .quoted:
                if c == 0x22 {
                    state = .quoteInQuoted
                } else {
                    if c == 0x0A || c == 0x0D { line += 1 }
                    afterCR = c == 0x0D
                    field.append(c)
                }
            case .quoteInQuoted:
                if c == 0x22 {
                    field.append(c)
                    state = .quoted
                } else if c == delimiter {
                    endField()
                } else if c == 0x0A || c == 0x0D {
                    try endLine(c, emit)
                } else {
                    throw DataError(file: file, line: line, column: fields.count + 1,
                                    "unexpected text after a closing quote")
                }
            }
        }
    }

    /// Flushes the last record (a file need not end with a newline).
    mutating func finish(_ emit: (CSVRecord) throws -> Void) throws {
        if state == .quoted {
            throw DataError(file: file, line: quoteLine, column: fields.count + 1, "unterminated quoted field")
        }
        if state == .fieldStart && fields.isEmpty && field.isEmpty && !quoted { return }
        try endRecord(emit)
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
        quoted = false
    }

    private mutating func endRecord(_ emit: (CSVRecord) throws -> Void) throws {
        let blank = fields.isEmpty && !quoted && field.allSatisfy { $0 == 0x20 || $0 == 0x09 }
        endField()
        let record = CSVRecord(fields: fields, line: recordLine, isBlank: blank)
        fields.removeAll(keepingCapacity: true)
        try emit(record)
    }
}

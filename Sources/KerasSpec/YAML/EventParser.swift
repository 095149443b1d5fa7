import CYAML

/// Drives libyaml's event API (`yaml_parser_parse`) and builds the ``Node`` tree:
/// resolves anchors and aliases under a node budget, caps nesting, and rejects duplicate
/// keys, merge keys, unknown tags and multiple documents.
final class EventParser {
    /// A list or map still being read.
    private struct Frame {
        let isMapping: Bool
        let mark: Mark
        let path: NodePath
        let anchor: String?
        var items: [Node] = []
        var entries: [Node.Entry] = []
        var pendingKey: Node?
        var seen: [String: Int] = [:]
    }

    private let bytes: [UInt8]
    private let file: String
    private let limits: YAMLLimits
    private var anchors: [String: Node] = [:]
    private var stack: [Frame] = []
    private var root: Node?
    private var produced = 0
    private var documents = 0

    init(bytes: [UInt8], file: String, limits: YAMLLimits) {
        self.bytes = bytes
        self.file = file
        self.limits = limits
    }

    /// Parses the whole stream and returns the single document's root.
    func run() throws(SpecError) -> Node {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer {
            input.deallocate()
            parser.deallocate()
        }
        guard yaml_parser_initialize(parser) == 1 else {
            throw SpecError(file: file, message: "cannot start the \(limits.language) parser (out of memory)")
        }
        defer { yaml_parser_delete(parser) }
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { input.initialize(from: base, count: buffer.count) }
        }
        yaml_parser_set_input_string(parser, input, bytes.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)

        var finished = false
        while !finished {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else { throw syntaxError(parser.pointee) }
            defer { yaml_event_delete(&event) }
            finished = try handle(&event)
        }
        guard let root else {
            throw SpecError(file: file, message: "no \(limits.language) document (the file holds only comments), expected \(limits.expectedRoot)")
        }
        if root.isNull {
            throw SpecError("empty document, expected \(limits.expectedRoot)", at: root.mark)
        }
        return root
    }

    /// Handles one event; returns true at the end of the stream.
    private func handle(_ event: inout yaml_event_t) throws(SpecError) -> Bool {
        let mark = self.mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw SpecError("a second \(limits.language) document starts here; \(limits.documentHolder) holds exactly one document", at: mark)
            }
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw SpecError("unknown alias '*\(name)' (no anchor '&\(name)' before it)", at: mark)
            }
            try count(target.size, at: mark)
            if stack.count + target.height > limits.maxDepth {
                throw SpecError("nesting is deeper than \(limits.maxDepth) levels", at: mark)
            }
            try add(target.copy(to: childPath()))
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let raw = data.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self)
            } ?? ""
            var quoted = data.style != YAML_PLAIN_SCALAR_STYLE
            if let tag = string(data.tag) {
                if tag == "tag:yaml.org,2002:str" || tag == "!" {
                    quoted = true
                } else if !["int", "float", "bool", "null"].map({ "tag:yaml.org,2002:" + $0 }).contains(tag) {
                    throw SpecError("unsupported \(limits.language) tag '\(tag)'", at: mark)
                }
            }
            try count(1, at: mark)
            let node = Node(.scalar(Scalar(raw: raw, quoted: quoted)), mark: mark, path: childPath())
            register(node, anchor: string(data.anchor))
            try add(node)
        case YAML_SEQUENCE_START_EVENT:
            try checkCollectionTag(string(event.data.sequence_start.tag), at: mark)
            try push(isMapping: false, mark: mark, anchor: string(event.data.sequence_start.anchor))
        case YAML_MAPPING_START_EVENT:
            try checkCollectionTag(string(event.data.mapping_start.tag), at: mark)
            try push(isMapping: true, mark: mark, anchor: string(event.data.mapping_start.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return false }
            let content: Node.Content = frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
            let node = Node(content, mark: frame.mark, path: frame.path)
            register(node, anchor: frame.anchor)
            try add(node)
        default:
            break
        }
        return false
    }

    private func push(isMapping: Bool, mark: Mark, anchor: String?) throws(SpecError) {
        if stack.count >= limits.maxDepth {
            throw SpecError("nesting is deeper than \(limits.maxDepth) levels", at: mark)
        }
        try count(1, at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark, path: childPath(), anchor: anchor))
    }

    /// Charges `nodes` against the node budget.
    private func count(_ nodes: Int, at mark: Mark) throws(SpecError) {
        produced += nodes
        if produced > limits.maxNodes {
            throw SpecError("document expands to more than \(limits.maxNodes) nodes (aliases expanding exponentially?)", at: mark)
        }
    }

    private func register(_ node: Node, anchor: String?) {
        if let anchor { anchors[anchor] = node }
    }

    /// The path the next complete node will have.
    private func childPath() -> NodePath {
        guard let top = stack.last else { return .root }
        if !top.isMapping { return top.path.appending(index: top.items.count) }
        guard let key = top.pendingKey else { return top.path }
        return top.path.appending(key: key.scalar?.raw ?? "")
    }

    /// Attaches a finished node to the collection being read, or makes it the root.
    private func add(_ node: Node) throws(SpecError) {
        guard var top = stack.popLast() else {
            root = node
            return
        }
        defer { stack.append(top) }
        if !top.isMapping {
            top.items.append(node)
        } else if let key = top.pendingKey {
            top.entries.append(Node.Entry(key: key, value: node))
            top.pendingKey = nil
        } else {
            guard let scalar = node.scalar else {
                throw SpecError("a mapping key must be plain text, got \(node.got)", at: node.mark, path: pathText(top.path))
            }
            if scalar.raw == "<<" && !scalar.quoted {
                throw SpecError("merge keys ('<<') are not supported; repeat the keys or use an alias for the whole value", at: node.mark, path: pathText(top.path))
            }
            if let line = top.seen[scalar.raw] {
                throw SpecError("duplicate key '\(scalar.raw)' (first given on line \(line))", at: node.mark, path: pathText(top.path))
            }
            top.seen[scalar.raw] = node.mark.line
            top.pendingKey = node
        }
    }

    private func pathText(_ path: NodePath) -> String? {
        path.isRoot ? nil : path.description
    }

    private func checkCollectionTag(_ tag: String?, at mark: Mark) throws(SpecError) {
        if let tag, !["tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"].contains(tag) {
            throw SpecError("unsupported \(limits.language) tag '\(tag)'", at: mark)
        }
    }

    private func mark(_ mark: yaml_mark_t) -> Mark {
        Mark(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }

    /// Turns libyaml's error state into a located error.
    private func syntaxError(_ parser: yaml_parser_t) -> SpecError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = "\(limits.language) syntax error: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let start = parser.context_mark
            message += " (\(context) at line \(start.line + 1), column \(start.column + 1))"
        }
        if parser.error == YAML_READER_ERROR {
            // A reader error (a control character, bad encoding) has a byte offset, not a mark.
            if parser.problem_value != -1 { message += " (byte 0x\(String(UInt8(truncatingIfNeeded: parser.problem_value), radix: 16)))" }
            let offset = min(max(0, Int(parser.problem_offset)), bytes.count)
            return SpecError(message, at: YAML.markOf(offset: offset, in: bytes, file: file))
        }
        let at = mark(parser.problem_mark)
        if character(at: at) == "\t" {
            message += "; tabs cannot be used for indentation, use spaces"
        }
        return SpecError(message, at: at)
    }

    /// The character at a mark, if any.
    private func character(at mark: Mark) -> Character? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line - 1 < lines.count else { return nil }
        let line = lines[mark.line - 1]
        guard mark.column - 1 < line.count else { return nil }
        return line[line.index(line.startIndex, offsetBy: mark.column - 1)]
    }
}

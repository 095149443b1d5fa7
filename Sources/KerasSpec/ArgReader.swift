import KerasText

/// Reads the arguments of one object (or the keys of one spec section) and records which
/// keys were used, so that ``finish()`` can reject whatever is left over:
///
///     let args = try layer.object.reader(mainArgument: "units")
///     let units = try args.required("units", .positiveInt)
///     let useBias = try args.bool("use_bias", default: true)
///     try args.finish()   // "unknown argument 'unts' for Dense; did you mean 'units'?"
///
/// Every getter treats an absent key and an explicit `null` alike (the default, or nil),
/// and throws a located ``SpecError`` saying `key must be <expected>, got <got>`.
public final class ArgReader {
    /// Who owns the keys, for the wording of messages.
    enum Owner {
        case object(String)
        case section(String)
        case topLevel
    }

    private struct Arg {
        let key: String
        let keyNode: Node?
        let value: Node
    }

    /// The object read, or nil for a spec section.
    public let object: ObjectSpec?
    /// The path shown in errors.
    public let path: String
    /// The label shown in errors (`Dense 'logits'`), nil for sections.
    public let label: String?
    private let owner: Owner
    private let anchor: Node
    private let args: [Arg]
    private var used: Set<String>
    private var asked: [String] = []

    /// A reader over `object`'s arguments. `mainArgument` is the key that a non-map value
    /// stands for (`Dropout: 0.2` → `rate`); without one, such a value is an error.
    public init(_ object: ObjectSpec, mainArgument: String? = nil) throws(SpecError) {
        self.object = object
        self.path = object.path
        self.label = object.label
        self.owner = .object(object.name)
        self.anchor = object.node
        self.used = object.consumedKeys
        guard let args = object.args else {
            self.args = []
            return
        }
        if let entries = args.entries {
            self.args = entries.map { Arg(key: $0.name, keyNode: $0.key, value: $0.value) }
        } else if let mainArgument {
            self.args = [Arg(key: mainArgument, keyNode: nil, value: args)]
        } else {
            throw object.error("\(object.name) takes no single value, give its arguments as a map {name: value}, got \(args.got)", at: args)
        }
    }

    /// A reader over the keys of a spec section (`fit`, `data.train`) or, with an empty
    /// `path`, the top level. Throws unless `node` is a map.
    public init(section node: Node, path: String) throws(SpecError) {
        self.object = nil
        self.path = path
        self.label = nil
        self.owner = path.isEmpty ? .topLevel : .section(path)
        self.anchor = node
        self.used = []
        guard let entries = node.entries else {
            let what = path.isEmpty ? "the top level" : path
            throw SpecError("\(what) must be a map of keys, got \(node.got)", at: node.mark, path: path.isEmpty ? nil : path)
        }
        self.args = entries.map { Arg(key: $0.name, keyNode: $0.key, value: $0.value) }
    }

    // MARK: Keys and errors

    /// The keys given, in file order.
    public var keys: [String] { args.map(\.key) }

    /// True when `key` was given (even as `null`). Does not mark it used.
    public func has(_ key: String) -> Bool { args.contains { $0.key == key } }

    /// The raw value node of `key` (nil when absent), marking it used.
    public func node(_ key: String) -> Node? {
        note(key)
        used.insert(key)
        return args.first { $0.key == key }?.value
    }

    /// Marks `key` as used without reading it.
    public func markUsed(_ key: String) {
        note(key)
        used.insert(key)
    }

    /// A located error at `key`'s value (or the object when absent), to `throw`.
    public func error(_ message: String, key: String? = nil) -> SpecError {
        let at = key.flatMap { key in args.first { $0.key == key }?.value } ?? anchor
        return SpecError(message, at: at.mark, path: path.isEmpty ? nil : path, label: label)
    }

    /// A located error at an arbitrary node, with this reader's path and label.
    public func error(_ message: String, at node: Node) -> SpecError {
        SpecError(message, at: node.mark, path: path.isEmpty ? nil : path, label: label)
    }

    /// The error for a missing required key. When a key that no getter asked for is a
    /// near miss (`unts` for `units`), the error is about that key instead, located there.
    public func missing(_ key: String) -> SpecError {
        if let typo = args.first(where: { !used.contains($0.key) && suggest($0.key, among: [key]) != nil }) {
            return error(unknownMessage(typo.key) + "; did you mean '\(key)'?", at: typo.keyNode ?? typo.value)
        }
        switch owner {
        case .object(let name): return error("missing required argument '\(key)' for \(name)")
        case .section, .topLevel: return error("missing required key '\(key)'")
        }
    }

    /// Throws on the first key that no getter asked for: `unknown argument 'unts' for
    /// Dense; did you mean 'units'?`, located at that key. `alsoKnown` adds candidates
    /// for the suggestion (keys the caller accepts but did not read).
    public func finish(alsoKnown: [String] = []) throws(SpecError) {
        guard let extra = args.first(where: { !used.contains($0.key) }) else { return }
        let known = asked + alsoKnown.filter { !asked.contains($0) }
        var otherwise = ""
        if known.isEmpty {
            if case .object = owner { otherwise = " (it takes no arguments)" }
        } else if known.count <= 24 {
            otherwise = " (expected one of: \(known.joined(separator: ", ")))"
        }
        throw error(unknownName(unknownMessage(extra.key), extra.key, among: known, otherwise: otherwise), at: extra.keyNode ?? extra.value)
    }

    private func unknownMessage(_ key: String) -> String {
        switch owner {
        case .object(let name): return "unknown argument '\(key)' for \(name)"
        case .section(let name): return "unknown key '\(key)' in \(name)"
        case .topLevel: return "unknown top-level key '\(key)'"
        }
    }

    private func note(_ key: String) {
        if !asked.contains(key) { asked.append(key) }
    }

    // MARK: Typed values

    /// The converted value of `key`, or nil when absent or `null`.
    public func value<T>(_ key: String, _ type: ArgType<T>) throws(SpecError) -> T? {
        guard let node = node(key), !node.isNull else { return nil }
        do throws(ArgMismatch) {
            return try type.convert(node)
        } catch {
            let got = error.got ?? error.node.got
            throw self.error("\(key) must be \(type.expected), got \(got)\(error.hint)", at: error.node)
        }
    }

    /// The converted value of `key`, or `defaultValue` when absent or `null`.
    public func value<T>(_ key: String, _ type: ArgType<T>, default defaultValue: T) throws(SpecError) -> T {
        try value(key, type) ?? defaultValue
    }

    /// The converted value of `key`; absent or `null` is a "missing required" error.
    public func required<T>(_ key: String, _ type: ArgType<T>) throws(SpecError) -> T {
        guard let result = try value(key, type) else { throw missing(key) }
        return result
    }
}

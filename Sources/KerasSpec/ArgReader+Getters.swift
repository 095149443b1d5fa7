/// Named getters over ``ArgReader/value(_:_:)``: each comes as an optional (absent or
/// `null` → nil) and a defaulted form; use ``ArgReader/required(_:_:)`` for required keys.
extension ArgReader {
    /// An integer.
    public func int(_ key: String) throws(SpecError) -> Int? { try value(key, .int) }
    /// An integer, or `default`.
    public func int(_ key: String, default value: Int) throws(SpecError) -> Int { try self.value(key, .int, default: value) }
    /// An integer > 0.
    public func positiveInt(_ key: String) throws(SpecError) -> Int? { try value(key, .positiveInt) }
    /// An integer > 0, or `default`.
    public func positiveInt(_ key: String, default value: Int) throws(SpecError) -> Int { try self.value(key, .positiveInt, default: value) }
    /// An integer ≥ 0.
    public func nonNegativeInt(_ key: String) throws(SpecError) -> Int? { try value(key, .nonNegativeInt) }
    /// An integer ≥ 0, or `default`.
    public func nonNegativeInt(_ key: String, default value: Int) throws(SpecError) -> Int { try self.value(key, .nonNegativeInt, default: value) }
    /// A number (integers accepted).
    public func double(_ key: String) throws(SpecError) -> Double? { try value(key, .double) }
    /// A number, or `default`.
    public func double(_ key: String, default value: Double) throws(SpecError) -> Double { try self.value(key, .double, default: value) }
    /// `true` or `false`.
    public func bool(_ key: String) throws(SpecError) -> Bool? { try value(key, .bool) }
    /// `true` or `false`, or `default`.
    public func bool(_ key: String, default value: Bool) throws(SpecError) -> Bool { try self.value(key, .bool, default: value) }
    /// A string.
    public func string(_ key: String) throws(SpecError) -> String? { try value(key, .string) }
    /// A string, or `default`.
    public func string(_ key: String, default value: String) throws(SpecError) -> String { try self.value(key, .string, default: value) }

    /// One of `options` (exact match; near misses get a "did you mean").
    public func oneOf(_ key: String, _ options: [String]) throws(SpecError) -> String? { try value(key, .oneOf(options)) }
    /// One of `options`, or `default`.
    public func oneOf(_ key: String, _ options: [String], default value: String) throws(SpecError) -> String {
        try self.value(key, .oneOf(options), default: value)
    }

    /// A list of integers.
    public func intList(_ key: String) throws(SpecError) -> [Int]? { try value(key, .intList) }
    /// A shape: a list of positive integers (a single integer `n` reads as `[n]`).
    public func shape(_ key: String) throws(SpecError) -> [Int]? { try value(key, .shape) }
    /// An integer or a list of `count` integers (`kernel_size: 3` → `[3, 3]`).
    public func intOrTuple(_ key: String, count: Int, positive: Bool = true) throws(SpecError) -> [Int]? {
        try value(key, .intOrTuple(count: count, positive: positive))
    }
    /// An integer or a list of `count` integers, or `default`.
    public func intOrTuple(_ key: String, count: Int, positive: Bool = true, default value: [Int]) throws(SpecError) -> [Int] {
        try self.value(key, .intOrTuple(count: count, positive: positive), default: value)
    }

    /// A number within bounds (each inclusive unless said otherwise).
    public func doubleInRange(_ key: String, _ lower: Double, _ upper: Double,
                              lowerInclusive: Bool = true, upperInclusive: Bool = true) throws(SpecError) -> Double? {
        try value(key, .range(lower, upper, lowerInclusive: lowerInclusive, upperInclusive: upperInclusive))
    }
    /// A number within bounds, or `default`.
    public func doubleInRange(_ key: String, _ lower: Double, _ upper: Double,
                              lowerInclusive: Bool = true, upperInclusive: Bool = true,
                              default value: Double) throws(SpecError) -> Double {
        try self.value(key, .range(lower, upper, lowerInclusive: lowerInclusive, upperInclusive: upperInclusive),
                       default: value)
    }

    /// A string or a list of strings.
    public func stringOrStringList(_ key: String) throws(SpecError) -> [String]? { try value(key, .stringOrStringList) }

    /// A nested object (`activation: relu`, `kernel_regularizer: {l2: 0.001}`), with path
    /// `<this path>.<key>`; nil when absent or `null`.
    public func object(_ key: String) throws(SpecError) -> ObjectSpec? {
        guard let node = node(key), !node.isNull else { return nil }
        return try ObjectSpec(node: node, path: childPath(key))
    }

    /// A list of objects (`callbacks`, `metrics`); a single object reads as a list of one;
    /// absent or `null` is empty. Paths are `<this path>.<key>[i]`.
    public func objects(_ key: String) throws(SpecError) -> [ObjectSpec] {
        guard let node = node(key), !node.isNull else { return [] }
        guard let items = node.items else { return [try ObjectSpec(node: node, path: childPath(key))] }
        var result: [ObjectSpec] = []
        for (index, item) in items.enumerated() {
            result.append(try ObjectSpec(node: item, path: "\(childPath(key))[\(index)]"))
        }
        return result
    }

    /// `<this path>.<key>`, or `key` at the top level.
    public func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

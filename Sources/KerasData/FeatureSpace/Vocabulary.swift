import CFarmHash

/// FarmHash's `Fingerprint64` of the UTF-8 bytes of `text` — TensorFlow's
/// `Fingerprint64`, behind Keras's `Hashing` (`tf.strings.to_hash_bucket_fast`),
/// `StringLookup`'s OOV buckets and `HashedCrossing` of strings.
public func fingerprint64<S: StringProtocol>(_ text: S) -> UInt64 {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { b in
        b.baseAddress.map { p in p.withMemoryRebound(to: CChar.self, capacity: b.count) { farmhash_fingerprint64($0, b.count) } }
            ?? farmhash_fingerprint64("", 0)
    }
}

/// Keras `HashedCrossing` (`tf.sparse.cross_hashed`) of one example's integer features:
/// TensorFlow's `FingerprintCat64` chained from the key `0xDECAFCAFFE` over each value
/// (an integer hashes as itself), modulo `numBins`.
public func hashedCross(_ values: [Int64], numBins: Int) -> Int {
    let mul: UInt64 = 0xc6a4a7935bd1e995
    func shiftMix(_ v: UInt64) -> UInt64 { v ^ (v >> 47) }
    var h: UInt64 = 0xDECAFCAFFE
    for v in values {
        var r = h ^ mul
        r ^= shiftMix(UInt64(bitPattern: v) &* mul) &* mul
        r = r &* mul
        r = shiftMix(r) &* mul
        h = shiftMix(r)
    }
    return Int(h % UInt64(numBins))
}

/// The adapted vocabulary of a Keras `StringLookup` or `IntegerLookup` (no mask token, as
/// in `FeatureSpace`): indices `0..<numOOVIndices` are out-of-vocabulary buckets, then the
/// learned tokens, most frequent first, ties broken as Keras breaks them (its
/// `np.lexsort((tokens, counts))[::-1]`: the larger token first — by bytes for strings, by
/// value for integers). `maxTokens` caps the whole size, OOV indices included.
public struct Vocabulary: Codable, Equatable, Sendable {
    /// The learned tokens (integers as decimal text), in index order.
    public let tokens: [String]
    public let numOOVIndices: Int
    public let isInteger: Bool
    private let index: [String: Int]

    enum CodingKeys: String, CodingKey { case tokens, numOOVIndices = "num_oov_indices", isInteger = "integer" }

    public init(tokens: [String], numOOVIndices: Int, isInteger: Bool) {
        self.tokens = tokens
        self.numOOVIndices = numOOVIndices
        self.isInteger = isInteger
        var index: [String: Int] = [:]
        for (i, t) in tokens.enumerated() where index[t] == nil { index[t] = numOOVIndices + i }
        self.index = index
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tokens: try c.decode([String].self, forKey: .tokens),
                  numOOVIndices: try c.decode(Int.self, forKey: .numOOVIndices),
                  isInteger: try c.decode(Bool.self, forKey: .isInteger))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(numOOVIndices, forKey: .numOOVIndices)
        try c.encode(isInteger, forKey: .isInteger)
    }

    /// Adapts on token counts, as Keras's `IndexLookup.finalize_state`.
    public static func adapt(counts: [String: Int], isInteger: Bool, maxTokens: Int?, numOOVIndices: Int) -> Vocabulary {
        var entries = counts.map { (token: $0.key, count: $0.value, value: isInteger ? Int64($0.key) ?? 0 : 0) }
        entries.sort { a, b in
            if a.count != b.count { return a.count > b.count }
            if isInteger { return a.value > b.value }
            return b.token.utf8.lexicographicallyPrecedes(a.token.utf8)
        }
        var tokens = entries.map(\.token)
        if let maxTokens { tokens = Array(tokens.prefix(max(maxTokens - numOOVIndices, 0))) }
        return Vocabulary(tokens: tokens, numOOVIndices: numOOVIndices, isInteger: isInteger)
    }

    /// Keras's `vocabulary_size()`: OOV indices plus tokens (the one-hot width).
    public var size: Int { numOOVIndices + tokens.count }

    /// The index of `token` (integers as canonical decimal text); an unknown token goes to
    /// an OOV bucket as Keras's: `value mod numOOVIndices` for integers, the FarmHash
    /// fingerprint mod `numOOVIndices` for strings. Nil when it is unknown and there are no
    /// OOV indices (Keras raises then).
    public func lookup(_ token: String) -> Int? {
        if let i = index[token] { return i }
        switch numOOVIndices {
        case 0: return nil
        case 1: return 0
        default:
            if isInteger, let v = Int64(token) {
                let m = v % Int64(numOOVIndices)
                return Int(m < 0 ? m + Int64(numOOVIndices) : m)
            }
            return Int(fingerprint64(token) % UInt64(numOOVIndices))
        }
    }
}

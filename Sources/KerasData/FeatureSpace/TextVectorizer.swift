import Foundation

/// Keras `TextVectorization` as a feature of a table: standardize, split, n-grams, a
/// vocabulary adapted on the training rows, and one of four outputs.
///
/// As Keras 3 (TensorFlow ops): `lower` lowercases ASCII letters only (`tf.strings.lower`);
/// `strip_punctuation` removes ASCII punctuation (Keras's regex
/// ``[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']``); `whitespace` splits on runs of ASCII
/// whitespace; `character` splits into Unicode code points; `ngrams: n` adds the 2..n-grams
/// (joined by a space) after the unigrams. The vocabulary is ordered by frequency, ties by
/// the larger token first (bytes), as every Keras lookup. Indices: `int` reserves 0 for
/// padding (the mask `""`) and 1 for OOV (`[UNK]`); the other modes 0 for OOV.
/// `tf_idf` weighs counts by `log(1 + documents / (1 + document frequency))`, the OOV
/// index by the mean weight. A missing cell is an empty text.
public struct TextOptions: Codable, Equatable, Sendable {
    public enum Standardize: String, Codable, Sendable, CaseIterable {
        case lowerAndStripPunctuation = "lower_and_strip_punctuation", lower, stripPunctuation = "strip_punctuation"
    }
    public enum Split: String, Codable, Sendable, CaseIterable { case whitespace, character }
    public enum OutputMode: String, Codable, Sendable, CaseIterable {
        case int, multiHot = "multi_hot", count, tfIdf = "tf_idf"
    }
    public var maxTokens: Int?
    public var standardize: Standardize?
    public var split: Split?
    /// The n-gram widths (`ngrams: 2` is `[1, 2]`); nil for tokens alone.
    public var ngrams: [Int]?
    public var outputMode: OutputMode
    /// `int`: the sequence length (padded with 0 or cut).
    public var outputSequenceLength: Int?
    public var padToMaxTokens: Bool

    public init(maxTokens: Int? = nil, standardize: Standardize? = .lowerAndStripPunctuation, split: Split? = .whitespace,
                ngrams: [Int]? = nil, outputMode: OutputMode = .int, outputSequenceLength: Int? = nil, padToMaxTokens: Bool = false) {
        self.maxTokens = maxTokens; self.standardize = standardize; self.split = split; self.ngrams = ngrams
        self.outputMode = outputMode; self.outputSequenceLength = outputSequenceLength; self.padToMaxTokens = padToMaxTokens
    }

    /// Indices before the first learned token: mask and OOV (`int`), OOV (the others).
    public var reserved: Int { outputMode == .int ? 2 : 1 }
}

/// What a text feature learned: its tokens and (`tf_idf`) the weight of each index.
public struct TextState: Codable, Equatable, Sendable {
    public var tokens: [String]
    public var idf: [Float]?
}

public enum TextVectorizer {
    /// The standardized, split and n-grammed tokens of one text.
    public static func tokens(_ text: String, _ o: TextOptions) -> [String] {
        var bytes = Array(text.utf8)
        if o.standardize == .lower || o.standardize == .lowerAndStripPunctuation {
            bytes = bytes.map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 }
        }
        if o.standardize == .stripPunctuation || o.standardize == .lowerAndStripPunctuation {
            bytes.removeAll { b in (0x21...0x2F).contains(b) || (0x3A...0x40).contains(b) || (0x5B...0x60).contains(b) || (0x7B...0x7E).contains(b) }
        }
        let s = String(decoding: bytes, as: UTF8.self)
        let words: [String]
        switch o.split {
        case .whitespace?:
            words = s.utf8.split(whereSeparator: { [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) }).map { String(decoding: $0, as: UTF8.self) }
        case .character?: words = s.unicodeScalars.map { String($0) }
        case nil: words = [s]
        }
        guard let widths = o.ngrams else { return words }
        var out: [String] = []
        for n in widths where n >= 1 && n <= words.count {
            for i in 0...(words.count - n) { out.append(words[i..<(i + n)].joined(separator: " ")) }
        }
        return out
    }

    /// Adapts on the training texts.
    public static func adapt(_ texts: [String], _ o: TextOptions) -> TextState {
        var counts: [String: Int] = [:], documents: [String: Int] = [:]
        for t in texts {
            let toks = tokens(t, o)
            for k in toks { counts[k, default: 0] += 1 }
            for k in Set(toks) { documents[k, default: 0] += 1 }
        }
        counts[""] = nil
        counts["[UNK]"] = nil
        let learned = Vocabulary.adapt(counts: counts, isInteger: false, maxTokens: o.maxTokens, numOOVIndices: o.reserved).tokens
        var idf: [Float]?
        if o.outputMode == .tfIdf {
            let n = Double(texts.count)
            var w = learned.map { Float(log(1 + n / (1 + Double(documents[$0] ?? 0)))) }
            let mean = w.isEmpty ? 0 : w.reduce(Float(0), +) / Float(w.count)
            w.insert(mean, at: 0)
            if o.padToMaxTokens, let m = o.maxTokens, w.count < m { w += Array(repeating: 0, count: m - w.count) }
            idf = w
        }
        return TextState(tokens: learned, idf: idf)
    }

    /// The encoded width: the sequence length (`int`), else the vocabulary size.
    public static func width(_ o: TextOptions, _ s: TextState) -> Int {
        if o.outputMode == .int { return o.outputSequenceLength ?? 1 }
        let size = o.reserved + s.tokens.count
        if o.padToMaxTokens, let m = o.maxTokens { return max(m, size) }
        return size
    }

    /// One text encoded into `width` values.
    public static func encode(_ text: String, _ o: TextOptions, _ s: TextState, index: [String: Int]) -> [Float] {
        let w = width(o, s)
        var out = [Float](repeating: 0, count: w)
        let ids = tokens(text, o).map { t -> Int in
            if o.outputMode == .int && t.isEmpty { return 0 }
            return index[t].map { $0 + o.reserved } ?? (o.reserved - 1)
        }
        switch o.outputMode {
        case .int: for (i, id) in ids.prefix(w).enumerated() { out[i] = Float(id) }
        case .multiHot: for id in ids where id < w { out[id] = 1 }
        case .count: for id in ids where id < w { out[id] += 1 }
        case .tfIdf:
            for id in ids where id < w { out[id] += 1 }
            let weights = s.idf ?? []
            for i in 0..<w { out[i] *= i < weights.count ? weights[i] : 0 }
        }
        return out
    }

    /// Token → position among the learned tokens.
    public static func index(_ s: TextState) -> [String: Int] {
        var d: [String: Int] = [:]
        for (i, t) in s.tokens.enumerated() where d[t] == nil { d[t] = i }
        return d
    }
}

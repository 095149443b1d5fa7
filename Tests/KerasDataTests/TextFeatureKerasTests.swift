import Foundation
import Testing
@testable import KerasData

/// `text` features against real Keras 3's `TextVectorization` inside a `FeatureSpace`
/// (Fixtures/text, made by make_fixture.py there): the four output modes, standardize
/// variants, n-grams, max_tokens, pad_to_max_tokens, punctuation, non-ASCII letters, tabs
/// and newlines inside quoted cells, a missing text. Vocabularies (order included), tf_idf
/// weights and every encoded value must be Keras's.
struct TextFeatureKerasTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/text").path

    static let config = FeatureSpaceConfig(features: [
        FeatureConfig(name: "t_int", type: .text(TextOptions(outputMode: .int, outputSequenceLength: 8))),
        FeatureConfig(name: "t_multi", type: .text(TextOptions(maxTokens: 20, outputMode: .multiHot))),
        FeatureConfig(name: "t_count", type: .text(TextOptions(standardize: .lower, ngrams: [1, 2], outputMode: .count))),
        FeatureConfig(name: "t_tfidf", type: .text(TextOptions(maxTokens: 30, standardize: .stripPunctuation, outputMode: .tfIdf,
                                                               padToMaxTokens: true))),
    ], outputMode: .dict)

    struct KerasText: Decodable { let vocabulary: [String]; let width: Int; let idf: [Float]? }

    @Test func vocabulariesWeightsAndEncodingsAreKeras() throws {
        let table = try CSVTable(path: Self.folder + "/table.csv", naValues: ["NA"])
        let space = try FeatureSpace.adapt(Self.config, table: table, rows: Array(0..<table.rowCount))
        let keras = try JSONDecoder().decode([String: KerasText].self,
                                             from: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/keras.json"), options: []).filteredKerasVersion())
        for f in Self.config.features {
            guard case let .text(o) = f.type else { continue }
            let k = try #require(keras[f.name])
            let state = try #require(space.states[f.name]?.text)
            #expect(state.tokens == Array(k.vocabulary.dropFirst(o.reserved)), "vocabulary of \(f.name)")
            #expect(TextVectorizer.width(o, state) == k.width)
            if let idf = k.idf {
                let mine = try #require(state.idf)
                #expect(mine.count == idf.count)
                for (a, b) in zip(mine, idf) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
            }
        }
        let parts = try space.encode(table, rows: Array(0..<table.rowCount))
        let expected = try String(contentsOfFile: Self.folder + "/encoded.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map { Float($0) ?? .nan } }
        #expect(expected.count == table.rowCount)
        var mismatches: [String] = []
        for (r, row) in expected.enumerated() {
            let got = parts.flatMap { p in (0..<p.exampleSize).map { p.float(row: r, element: $0) } }
            #expect(got.count == row.count)
            for (j, (a, b)) in zip(got, row).enumerated() where abs(a - b) > 1e-5 * max(1, abs(b)) { mismatches.append("row \(r) col \(j): \(a) vs \(b)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}

extension Data {
    /// keras.json without its "keras" version entry (a string among the feature objects).
    func filteredKerasVersion() throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: self) as? [String: Any] else { return self }
        object["keras"] = nil
        return try JSONSerialization.data(withJSONObject: object)
    }
}

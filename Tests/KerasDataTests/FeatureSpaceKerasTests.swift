import Foundation
import Testing
@testable import KerasData

/// `FeatureSpace` against real Keras 3's `keras.utils.FeatureSpace` on the penguins table
/// (Fixtures/featurespace, made by make_fixture.py there): every feature type, two crosses,
/// missing values, column names with spaces. The adapted vocabularies (order included),
/// normalization statistics, bin boundaries and every encoded value must be Keras's.
struct FeatureSpaceKerasTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/featurespace").path

    /// The feature space of spec.json, written in Swift.
    static let config = FeatureSpaceConfig(features: [
        FeatureConfig(name: "island", type: .stringCategorical(maxTokens: 4, numOOVIndices: 2, outputMode: .oneHot)),
        FeatureConfig(name: "sex", type: .stringCategorical(maxTokens: nil, numOOVIndices: 1, outputMode: .oneHot)),
        FeatureConfig(name: "bill_length_mm", type: .floatNormalized, fill: .mean),
        FeatureConfig(name: "bill_depth_mm", type: .floatRescaled(scale: 0.1, offset: -1), fill: .median),
        FeatureConfig(name: "flipper_length_mm", type: .floatDiscretized(numBins: 8, binBoundaries: nil, outputMode: .oneHot), fill: .mean),
        FeatureConfig(name: "body_mass_g", type: .float, fill: .zero),
        FeatureConfig(name: "year", type: .integerCategorical(maxTokens: nil, numOOVIndices: 1, outputMode: .oneHot)),
        FeatureConfig(name: "year h", type: .integerHashed(numBins: 8, outputMode: .oneHot)),
        FeatureConfig(name: "island h", type: .stringHashed(numBins: 16, outputMode: .oneHot)),
    ], crosses: [
        CrossConfig(features: ["island", "sex"], crossingDim: 16),
        CrossConfig(features: ["year", "island h"], crossingDim: 8, outputMode: .int),
    ], outputMode: .dict)

    struct KerasState: Decodable {
        struct Moments: Decodable { let mean: Double; let variance: Double }
        let island: [String]
        let sex: [String]
        let year: [Int]
        let bill_length_mm: Moments
        let flipper_length_mm: [Float]
        let width: Int
        let outputs: [String: Int]
    }

    static func load() throws -> (CSVTable, FeatureSpace, KerasState) {
        let table = try CSVTable(path: folder + "/table.csv", naValues: ["NA"])
        let space = try FeatureSpace.adapt(config, table: table, rows: Array(0..<table.rowCount))
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/keras.json"))
        return (table, space, try JSONDecoder().decode(KerasState.self, from: data))
    }

    @Test func adaptedStateIsKeras() throws {
        let (_, space, keras) = try Self.load()
        // Keras lists OOV tokens first ("[UNK]" per OOV index; -1 for IntegerLookup).
        #expect(space.states["island"]?.vocabulary?.tokens == Array(keras.island.dropFirst(2)))
        #expect(space.states["sex"]?.vocabulary?.tokens == Array(keras.sex.dropFirst()))
        #expect(space.states["year"]?.vocabulary?.tokens == keras.year.dropFirst().map(String.init))
        let mean = try #require(space.states["bill_length_mm"]?.mean), variance = try #require(space.states["bill_length_mm"]?.variance)
        #expect(abs(mean - keras.bill_length_mm.mean) < 1e-5 * keras.bill_length_mm.mean)
        #expect(abs(variance - keras.bill_length_mm.variance) < 1e-5 * keras.bill_length_mm.variance)
        #expect(space.states["flipper_length_mm"]?.boundaries == keras.flipper_length_mm)
    }

    @Test func encodedRowsAreKeras() throws {
        let (table, space, keras) = try Self.load()
        #expect(Dictionary(uniqueKeysWithValues: space.outputs.map { ($0.name, $0.width) }) == keras.outputs)
        #expect(space.outputs.map(\.name) == ["bill_depth_mm", "bill_length_mm", "body_mass_g", "flipper_length_mm", "island",
                                                "island h", "sex", "year", "year h", "island_X_sex", "year_X_island h"])
        let parts = try space.encode(table, rows: Array(0..<table.rowCount))
        let text = try String(contentsOfFile: Self.folder + "/encoded.csv", encoding: .utf8)
        let expected = text.split(separator: "\n").map { $0.split(separator: ",").map { Float($0)! } }
        #expect(expected.count == table.rowCount)
        var mismatches = 0
        for (r, row) in expected.enumerated() {
            #expect(row.count == keras.width)
            var got: [Float] = []
            for p in parts { for j in 0..<p.exampleSize { got.append(p.float(row: r, element: j)) } }
            for (a, b) in zip(got, row) where abs(a - b) > 1e-6 * max(1, abs(b)) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Concat mode is the dict outputs side by side (Keras refuses to concatenate an `int`
    /// output, so the comparison runs in dict mode).
    @Test func concatIsTheDictOutputsSideBySide() throws {
        var config = Self.config
        config.crosses.removeLast()
        config.outputMode = .dict
        let table = try CSVTable(path: Self.folder + "/table.csv", naValues: ["NA"])
        let rows = Array(0..<20)
        let dict = try FeatureSpace.adapt(config, table: table, rows: rows).encode(table, rows: rows)
        config.outputMode = .concat
        let concat = try FeatureSpace.adapt(config, table: table, rows: rows).encode(table, rows: rows)
        #expect(concat.count == 1 && dict.count == 10)
        for r in rows {
            let joined = dict.flatMap { p in (0..<p.exampleSize).map { p.float(row: r, element: $0) } }
            #expect(joined == (0..<concat[0].exampleSize).map { concat[0].float(row: r, element: $0) })
        }
    }
}

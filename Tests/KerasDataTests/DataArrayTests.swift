import Foundation
import Testing
@testable import KerasData

@Suite struct DataArrayTests {
    @Test func gatherConvertsAndSlices() throws {
        let bytes = try DataArray(shape: [4, 2], bytes: [0, 1, 10, 11, 20, 21, 255, 31])
        var out = [Float](repeating: -1, count: 6)
        out.withUnsafeMutableBufferPointer { bytes.gather([3, 0, 3], into: $0.baseAddress!) }
        #expect(out == [255, 31, 0, 1, 255, 31])
        let floats = try DataArray(shape: [3, 1, 2], floats: [1, 2, 3, 4, 5, 6])
        out.withUnsafeMutableBufferPointer { floats.gather(Set([1]), into: $0.baseAddress!) }
        #expect(out[0..<2] == [3, 4])
        let tail = bytes.rows(2..<4)
        #expect(tail.count == 2 && tail.float(at: 0) == 20 && tail.floats() == [20, 21, 255, 31])
        out.withUnsafeMutableBufferPointer { tail.gather([1], into: $0.baseAddress!) }
        #expect(out[0..<2] == [255, 31])
        let (train, validation) = try bytes.splitValidation(fraction: 0.25)
        #expect(train.count == 3 && validation.floats() == [255, 31])
        #expect(try DataArray.validationSplitIndex(count: 100, fraction: 0.1) == 90)
        #expect(try DataArray.validationSplitIndex(count: 10, fraction: 0.33) == 6)
        #expect(TestFiles.error { try DataArray.validationSplitIndex(count: 1, fraction: 0.5) } == "1 examples are not enough to split with validation_split=0.5")
        #expect(try floats.reshaped(exampleShape: [2, 1]).shape == [3, 2, 1])
        #expect(TestFiles.error { try floats.reshaped(exampleShape: [3]) } == "cannot reshape examples of shape [1, 2] (2 values) to [3] (3 values)")
        #expect(TestFiles.error { try DataArray(shape: [2, 2], floats: [1]) } == "data shape [2, 2] needs 4 elements, got 1")
    }
}

@Suite struct PreprocessingTests {
    @Test func standardizerMatchesHandComputedValues() throws {
        let data = try DataArray(shape: [3, 2], bytes: [1, 10, 3, 10, 5, 10])
        let s = try Standardizer.fit(data)
        #expect(s.mean == [3, 10])
        #expect(s.variance == [Float(8.0 / 3.0), 0])
        #expect(s.std == [Float(8.0 / 3.0).squareRoot(), 1e-7])
        let half = try Standardizer.fit(data, rescale: 0.5)
        #expect(half.mean == [1.5, 5] && half.variance == [Float(2.0 / 3.0), 0])
        // per channel: shape [2, 2, 2], channels are the last axis
        let image = try DataArray(shape: [2, 2, 2], floats: [0, 100, 2, 100, 4, 300, 6, 300])
        let channels = try Standardizer.fit(image, axis: .lastAxis)
        #expect(channels.mean == [3, 200] && channels.variance == [5, 10000])
    }

    @Test func applyRescalesThenStandardizes() throws {
        var p = Preprocessing(rescale: 0.5, reshape: [2, 1])
        p.standardize(with: Standardizer(mean: [1, 2], variance: [4, 0]))
        try p.validate(exampleSize: 2)
        var x: [Float] = [4, 4, 2, 6]
        x.withUnsafeMutableBufferPointer { p.apply(to: $0.baseAddress!, count: 2, exampleSize: 2) }
        #expect(x == [0.5, 0, 0, 1e7])
        var rescaleOnly: [Float] = [255, 51]
        rescaleOnly.withUnsafeMutableBufferPointer { Preprocessing(rescale: 1 / 255).apply(to: $0.baseAddress!, count: 2, exampleSize: 1) }
        #expect(rescaleOnly == [255 * Float(1.0 / 255), 51 * Float(1.0 / 255)])
        #expect(TestFiles.error { try Preprocessing(reshape: [28, 28, 1]).validate(exampleSize: 784, file: "spec.yaml") } == nil)
        #expect(TestFiles.error { try Preprocessing(reshape: [28, 28, 3]).validate(exampleSize: 784, file: "spec.yaml") }
                == "spec.yaml: reshape [28, 28, 3] has 2352 values, but each example has 784")
        #expect(TestFiles.error { try Preprocessing(mean: [0, 0, 0], std: [1, 1, 1]).validate(exampleSize: 784) }
                == "standardization has 3 features, which does not divide the example size 784")
        let json = try JSONEncoder().encode(Preprocessing(rescale: 0.5, mean: [1], std: [2], classNames: ["species": ["a", "b"]]))
        #expect(try JSONDecoder().decode(Preprocessing.self, from: json).classNames?["species"] == ["a", "b"])
    }

    @Test func dataErrorFormats() {
        #expect(DataError(file: "iris.csv", line: 12, column: 3, columnName: "petal_length", "expected a number, got 'abc'").description
                == "iris.csv:12:3 (petal_length): expected a number, got 'abc'")
        #expect(DataError(file: "x.csv", line: 7, "row has 4 fields, expected 5 as in the header").description
                == "x.csv:7: row has 4 fields, expected 5 as in the header")
        #expect(DataError(file: "a.idx", "empty file, expected an IDX header").description == "a.idx: empty file, expected an IDX header")
    }
}

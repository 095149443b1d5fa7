import Foundation
import Testing
@testable import KerasData

@Suite struct IDXReaderTests {
    static let shapes: [[UInt32]] = [[5], [4, 3], [2, 3, 2], [2, 1, 2, 3]]

    func values(type: IDXType, count: Int) -> [Double] {
        (0..<count).map { i in
            switch type {
            case .uint8: return Double((i * 37) % 256)
            case .int8: return Double((i * 37) % 256 - 128)
            case .int16: return Double(i * 997 - 30000)
            case .int32: return Double(i * 1_000_003 - 5_000_000)
            case .float32, .float64: return Double(i) * 0.25 - 3.5
            }
        }
    }

    @Test(arguments: IDXType.allCases, [false, true])
    func readsEveryTypeAndRank(type: IDXType, gzip: Bool) throws {
        for shape in Self.shapes {
            let count = shape.reduce(1) { $0 * Int($1) }
            let expected = values(type: type, count: count)
            let bytes = TestFiles.idxHeader(type: type.rawValue, shape: shape) + TestFiles.idxData(expected, type: type)
            let path = TestFiles.write(bytes, name: "t-\(type.name)-\(shape.count)\(gzip ? ".gz" : "")", gzip: gzip)
            let array = try IDXReader.read(path)
            #expect(array.shape == shape.map(Int.init))
            #expect(array.isBytes == (type == .uint8))
            #expect(array.floats() == expected.map { Float($0) })
            let header = try IDXReader.readHeader(path)
            #expect(header.type == type && header.shape == shape.map(Int.init))

            let reader = try IDXBatchReader(path: path)
            var streamed: [Float] = []
            while let batch = try reader.next(maxExamples: 1 + count % 2) {
                #expect(batch.exampleShape == shape.dropFirst().map(Int.init))
                streamed += batch.floats()
            }
            #expect(streamed == expected.map { Float($0) })
        }
    }

    @Test func readsFashionMNIST() throws {
        let dir = "/usr/share/datasets/fashion-mnist/"
        guard FileManager.default.fileExists(atPath: dir + "train-images-idx3-ubyte.gz") else { return }
        let start = Date()
        let images = try IDXReader.read(dir + "train-images-idx3-ubyte.gz")
        let seconds = Date().timeIntervalSince(start)
        let labels = try IDXReader.readLabels(dir + "train-labels-idx1-ubyte.gz")
        #expect(images.shape == [60000, 28, 28])
        #expect(images.isBytes)
        #expect(labels.shape == [60000])
        #expect(labels.float(at: 0) == 9)
        #expect(labels.floats().allSatisfy { $0 >= 0 && $0 <= 9 && $0 == $0.rounded() })
        #expect(Set(labels.floats()).count == 10)
        let test = try IDXReader.read(dir + "t10k-images-idx3-ubyte.gz")
        #expect(test.shape == [10000, 28, 28])
        print("Fashion-MNIST train images read in \(seconds) s")
    }

    func expectError(_ bytes: [UInt8], gzip: Bool = false, name: String, _ message: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let path = TestFiles.write(bytes, name: name, gzip: gzip)
        #expect(TestFiles.error { try IDXReader.read(path) } == "\(path): \(message)", sourceLocation: sourceLocation)
    }

    @Test func rejectsBadHeaders() {
        let huge = TestFiles.idxHeader(type: 0x08, shape: [0x8000_0000]) + [1, 2, 3]
        expectError(huge, name: "huge", "truncated: the header claims shape [2147483648] of ubyte (2147483648 data bytes), so 2147483656 bytes in all, but the file has 11")
        expectError(huge, gzip: true, name: "huge.gz", "truncated: the header claims shape [2147483648] of ubyte (2147483648 data bytes), so 2147483656 bytes in all, but the decompressed data has 11")
        let bomb = TestFiles.idxHeader(type: 0x0E, shape: [0x4000_0000, 2])
        expectError(bomb, gzip: true, name: "bomb.gz", "IDX header claims shape [1073741824, 2] of double (17179869184 data bytes), more than the 4 GiB limit")
        let overflow = TestFiles.idxHeader(type: 0x0C, shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF])
        expectError(overflow, name: "overflow", "IDX header shape [4294967295, 4294967295, 4294967295] of int overflows: its byte size does not fit in 64 bits")
        let good = TestFiles.idxHeader(type: 0x0B, shape: [2, 2]) + TestFiles.idxData([1, 2, 3, 4], type: .int16)
        expectError(Array(good.dropLast()), name: "short", "truncated: the header claims shape [2, 2] of short (8 data bytes), so 20 bytes in all, but the file has 19")
        expectError(Array(good.dropLast()), gzip: true, name: "short.gz", "truncated: the header claims shape [2, 2] of short (8 data bytes), so 20 bytes in all, but the decompressed data has 19")
        expectError(good + [0], name: "long", "trailing data: the header claims shape [2, 2] of short (8 data bytes), so 20 bytes in all, but the file has 21")
        expectError(good + [0], gzip: true, name: "long.gz", "trailing data: the header claims shape [2, 2] of short (8 data bytes), so 20 bytes in all, but the decompressed data is longer")
        expectError([0x50, 0x4b, 3, 4, 0, 0], name: "zip", "not an IDX file: magic bytes are 50 4b 03 04, expected 00 00 <type> <rank>")
        expectError([0, 0, 0x0A, 1, 0, 0, 0, 0], name: "type", "unknown IDX type code 0x0a; expected 08 (ubyte), 09 (byte), 0b (short), 0c (int), 0d (float) or 0e (double)")
        expectError([0, 0, 8, 0], name: "rank0", "IDX rank is 0: there is no examples dimension")
        expectError([0, 0, 8, 3, 0, 0], name: "shorthead", "truncated IDX header: rank 3 needs 16 header bytes, the file has 6")
        expectError([0, 0], name: "tiny", "truncated IDX header: the file has only 2 bytes")
        expectError([], name: "empty", "empty file, expected an IDX header")
        expectError([], gzip: true, name: "empty.gz", "empty file, expected an IDX header")
    }

    @Test func rejectsCorruptGzip() {
        let good = TestFiles.idxHeader(type: 0x08, shape: [100]) + [UInt8](repeating: 7, count: 100)
        let path = TestFiles.write(good, name: "ok.gz", gzip: true)
        var bytes = TestFiles.read(path)
        bytes[bytes.count - 6] ^= 0xff     // the CRC-32 in the trailer
        let crc = TestFiles.write(bytes, name: "crc.gz")
        #expect(TestFiles.error { try IDXReader.read(crc) } == "\(crc): corrupt gzip data (incorrect data check)")
        let cut = TestFiles.write(Array(bytes.prefix(bytes.count - 12)), name: "cut.gz")
        #expect(TestFiles.error { try IDXReader.read(cut) }?.hasPrefix("\(cut): truncated gzip data") == true)
        var garbled = TestFiles.read(path)
        garbled[10] = 0xff                  // an invalid deflate block type
        let bad = TestFiles.write(garbled, name: "bad.gz")
        #expect(TestFiles.error { try IDXReader.read(bad) }?.hasPrefix("\(bad): corrupt gzip data (") == true)
    }

    @Test func rejectsMissingFilesAndDirectories() {
        let dir = TestFiles.directory.path
        #expect(TestFiles.error { try IDXReader.read(dir) } == "\(dir): is a directory, expected a data file")
        #expect(TestFiles.error { try IDXReader.read(dir + "/nope.gz") } == "\(dir)/nope.gz: no such file")
        let matrix = TestFiles.write(TestFiles.idxHeader(type: 8, shape: [1, 2]) + [1, 2], name: "matrix")
        #expect(TestFiles.error { try IDXReader.readLabels(matrix) } == "\(matrix): labels must be an IDX file of rank 1, got shape [1, 2]")
    }

    @Test func batchReaderChecksTheEnd() throws {
        let good = TestFiles.idxHeader(type: 0x08, shape: [3]) + [1, 2, 3, 4]
        let path = TestFiles.write(good, name: "stream-long.gz", gzip: true)
        let reader = try IDXBatchReader(path: path)
        #expect(try reader.next(maxExamples: 3)?.floats() == [1, 2, 3])
        #expect(TestFiles.error { try reader.next(maxExamples: 3) as Any }?.contains("trailing data") == true)
    }
}

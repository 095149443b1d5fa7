import Foundation
import XCTest
@testable import KerasTensorBoard

/// The event files' framing, without TensorBoard: CRC-32C against the published check
/// values, TFRecord bytes against the file real TensorFlow wrote for the same records, and
/// histogram buckets against TensorBoard's own `_buckets` (Fixtures/gen_tensorboard_fixtures.py).
final class TFRecordTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("tensorboard_reference.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testCRC32CCheckValues() {
        // The CRC catalogue's check value, and RFC 3720 (iSCSI) appendix B.4's vectors.
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testMaskIsTensorFlowsRotateAndAdd() {
        // crc32c::Mask(0) = rotr(0, 15) + 0xa282ead8; for "123456789": rotr(0xE3069283, 15) + delta by hand.
        XCTAssertEqual(TFRecord.maskedCRC32C([]), 0xA282_EAD8)
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(TFRecord.maskedCRC32C(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    func testFramingMatchesTensorFlowsTFRecordWriter() throws {
        let t = try XCTUnwrap(Self.reference()["tfrecord"] as? [String: Any])
        let records = try XCTUnwrap(t["records_hex"] as? [String]).map(Self.bytes)
        let file = Self.bytes(try XCTUnwrap(t["file_hex"] as? String))
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(records.flatMap(TFRecord.frame), file)
        XCTAssertEqual(TFRecord.frame(records[1]).count, 8 + 4 + records[1].count + 4)
    }

    func testHistogramBucketsMatchTensorBoard() throws {
        let cases = try XCTUnwrap(Self.reference()["histograms"] as? [String: [String: Any]])
        XCTAssertEqual(Set(cases.keys), ["normal", "uniform", "single", "empty"])
        for (name, c) in cases {
            let data = try XCTUnwrap(c["data"] as? [Double]).map(Float.init)
            let want = try XCTUnwrap(c["buckets"] as? [[Double]])
            let got = Histogram.buckets(data, count: 30)
            XCTAssertEqual(got.count, want.count, name)
            for (g, w) in zip(got, want) {
                XCTAssertEqual(g.left, w[0], accuracy: 1e-12, name)
                XCTAssertEqual(g.right, w[1], accuracy: 1e-12, name)
                XCTAssertEqual(g.count, w[2], name)
            }
            XCTAssertEqual(got.reduce(0) { $0 + $1.count }, Double(data.count), name)
        }
    }

    func testHistogramLeavesOutNonFiniteValues() {
        let b = Histogram.buckets([1, .nan, 2, .infinity, 3], count: 4)
        XCTAssertEqual(b.map(\.count), [1, 0, 1, 1])
        XCTAssertEqual(b.first?.left, 1); XCTAssertEqual(b.last?.right, 3)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(hex.utf8)
        if chars.count % 2 == 1 { chars.removeLast() }
        for i in stride(from: 0, to: chars.count, by: 2) { out.append(UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) ?? 0) }
        return out
    }
}

/// TFRecord framing, the container of TensorBoard event files: each record is
/// `uint64 length` (little-endian), `uint32 masked_crc32c(length bytes)`, the data, and
/// `uint32 masked_crc32c(data)` (TensorFlow's `tensorflow/core/lib/io/record_writer.cc`).
public enum TFRecord {
    /// One framed record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        out += length
        out += littleEndian(maskedCRC32C(length))
        out += data
        out += littleEndian(maskedCRC32C(data))
        return out
    }

    /// TensorFlow's `crc32c::Mask`: the CRC rotated right by 15 bits plus 0xa282ead8, so that
    /// a CRC of data holding CRCs stays well distributed.
    public static func maskedCRC32C(_ bytes: [UInt8]) -> UInt32 {
        let crc = CRC32C.checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
    }

    static func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78; RFC 3720), the checksum TFRecord
/// uses. Debian ships no C library for it (zlib's crc32 is the other polynomial), so it is
/// the classic byte-at-a-time table here.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

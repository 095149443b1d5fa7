import CZlib
import Foundation
import KerasEngine

/// A zip archive read whole into memory: the central directory, and members stored or
/// deflated (zlib raw inflate), each checked against its CRC-32. Enough for `.keras`
/// files, which Python's `zipfile` writes; zip64, encryption and other methods are
/// reported as errors, as is any truncation or corruption.
struct ZipArchive {
    /// One member of the archive.
    struct Member {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    /// The file as the user named it, for messages.
    let file: String
    let bytes: [UInt8]
    /// The members, in central-directory order.
    let members: [Member]

    /// Reads the archive at `path`.
    init(path: String) throws(KerasFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFileError(file: path, "cannot read file: no such file or unreadable")
        }
        try self.init(bytes: [UInt8](data), file: path)
    }

    /// Reads an archive from its bytes; `file` names it in messages.
    init(bytes: [UInt8], file: String) throws(KerasFileError) {
        self.file = file
        self.bytes = bytes
        let corrupt = { (why: String) in KerasFileError(file: file, "not a valid zip archive (\(why))") }
        // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB.
        guard bytes.count >= 22 else { throw corrupt("too short") }
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while i >= lowest {
            if ZipArchive.u32(bytes, i) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw corrupt("no end-of-central-directory record") }
        let count = Int(ZipArchive.u16(bytes, eocd + 10))
        let dirSize = Int(ZipArchive.u32(bytes, eocd + 12))
        let dirOffset = Int(ZipArchive.u32(bytes, eocd + 16))
        if count == 0xFFFF || dirOffset == 0xFFFF_FFFF { throw KerasFileError(file: file, "zip64 archives are not supported") }
        guard dirOffset + dirSize <= eocd else { throw corrupt("central directory out of range") }
        var members: [Member] = []
        var p = dirOffset
        for _ in 0..<count {
            guard p + 46 <= eocd, ZipArchive.u32(bytes, p) == 0x0201_4b50 else { throw corrupt("bad central directory entry") }
            let flags = ZipArchive.u16(bytes, p + 8)
            let nameLength = Int(ZipArchive.u16(bytes, p + 28))
            let extraLength = Int(ZipArchive.u16(bytes, p + 30))
            let commentLength = Int(ZipArchive.u16(bytes, p + 32))
            guard p + 46 + nameLength <= eocd else { throw corrupt("bad central directory entry") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            if flags & 1 != 0 { throw KerasFileError(file: file, "zip member '\(name)' is encrypted") }
            members.append(Member(
                name: name, method: ZipArchive.u16(bytes, p + 10), crc: ZipArchive.u32(bytes, p + 16),
                compressedSize: Int(ZipArchive.u32(bytes, p + 20)), size: Int(ZipArchive.u32(bytes, p + 24)),
                localHeaderOffset: Int(ZipArchive.u32(bytes, p + 42))))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// The member called `name`, if present.
    func member(_ name: String) -> Member? { members.first { $0.name == name } }

    /// The uncompressed content of `member`, CRC-checked.
    func read(_ member: Member) throws(KerasFileError) -> [UInt8] {
        let bad = { (why: String) in KerasFileError(file: file, "zip member '\(member.name)' is corrupt (\(why))") }
        let h = member.localHeaderOffset
        guard h + 30 <= bytes.count, ZipArchive.u32(bytes, h) == 0x0403_4b50 else { throw bad("bad local header") }
        let start = h + 30 + Int(ZipArchive.u16(bytes, h + 26)) + Int(ZipArchive.u16(bytes, h + 28))
        guard start + member.compressedSize <= bytes.count else { throw bad("truncated") }
        let out: [UInt8]
        switch member.method {
        case 0:
            guard member.compressedSize == member.size else { throw bad("stored sizes differ") }
            out = Array(bytes[start..<(start + member.size)])
        case 8:
            // The declared size is checked before it is allocated: deflate expands at most
            // 1032:1, and nothing over the memory limit is read.
            guard member.size <= member.compressedSize * 1032 + 64 else { throw bad("it claims \(member.size) bytes from \(member.compressedSize) compressed bytes, more than deflate can produce") }
            guard member.size <= MemoryBudget.bytes else {
                throw KerasFileError(file: file, "zip member '\(member.name)' is \(ShapeArithmetic.describe(bytes: member.size)), over \(MemoryBudget.describeLimit)")
            }
            out = try inflate(start: start, member: member)
        default:
            throw KerasFileError(file: file, "zip member '\(member.name)' uses compression method \(member.method); only stored and deflated are supported")
        }
        let crc = out.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        guard crc == member.crc else { throw bad("CRC mismatch") }
        return out
    }

    /// Raw-deflate decompression of a member.
    private func inflate(start: Int, member: Member) throws(KerasFileError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: member.size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw KerasFileError(file: file, "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + start)
                stream.avail_in = uInt(member.compressedSize)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == member.size else {
            throw KerasFileError(file: file, "zip member '\(member.name)' is corrupt (deflate stream error \(status))")
        }
        return out
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

/// Writes a zip archive of stored (uncompressed) members, as Keras itself does.
struct ZipWriter {
    private var out: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// Adds a member.
    mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        let crc = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        let offset = out.count
        // Local header: signature, version 20, flags 0, method 0, time, date (1980-01-01).
        out += le32(0x0403_4b50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        out += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count))
        out += le16(UInt16(nameBytes.count)) + le16(0) + nameBytes + data
        directory += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        directory += le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count))
        directory += le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16)
        directory += le32(UInt32(offset)) + nameBytes
        count += 1
    }

    /// The archive's bytes.
    func finish() -> [UInt8] {
        let end = le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
            + le32(UInt32(directory.count)) + le32(UInt32(out.count)) + le16(0)
        return out + directory + end
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}

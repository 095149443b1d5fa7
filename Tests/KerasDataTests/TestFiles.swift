import CZlib
import Foundation
@testable import KerasData

/// Temporary files for tests, and IDX encoding.
enum TestFiles {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("KerasDataTests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to a fresh temporary file (gzip-compressed if `gzip`) and returns its path.
    static func write(_ bytes: [UInt8], name: String, gzip: Bool = false) -> String {
        let path = directory.appendingPathComponent(name).path
        if gzip {
            let file = gzopen(path, "wb")
            bytes.withUnsafeBytes { _ = gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
        } else {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
        return path
    }

    static func write(_ text: String, name: String, gzip: Bool = false) -> String {
        write(Array(text.utf8), name: name, gzip: gzip)
    }

    static func read(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    /// An IDX header: magic `00 00 type rank`, then the big-endian sizes.
    static func idxHeader(type: UInt8, shape: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for d in shape { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return bytes
    }

    /// Big-endian encoding of `values` as `type`.
    static func idxData(_ values: [Double], type: IDXType) -> [UInt8] {
        var out: [UInt8] = []
        func be<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
        for v in values {
            switch type {
            case .uint8: out.append(UInt8(v))
            case .int8: out.append(UInt8(bitPattern: Int8(v)))
            case .int16: be(Int16(v))
            case .int32: be(Int32(v))
            case .float32: be(Float(v).bitPattern)
            case .float64: be(v.bitPattern)
            }
        }
        return out
    }

    /// Expects `body` to throw a DataError whose one-line form is `expected`.
    static func error(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as DataError {
            return error.description
        } catch {
            return "not a DataError: \(error)"
        }
    }
}

import FuzzSupport
@testable import KerasInterop

/// The zip reader of `.keras` archives: central directory, local headers, stored and
/// deflated members with their CRCs.
@_cdecl("FuzzZip_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        do {
            let zip = try ZipArchive(bytes: bytes(data, size), file: "fuzz.keras")
            for member in zip.members.prefix(16) {
                do { _ = try zip.read(member) } catch { expectOneLine(error) }
            }
        } catch { expectOneLine(error) }
        return 0
    }
}

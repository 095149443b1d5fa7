import FuzzSupport

/// IDX files (plain, or gzip when the input starts with gzip's magic): the whole-file
/// reader, the header reader and the batch reader.
@_cdecl("FuzzIDX_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let input = bytes(data, size)
        let gz = input.starts(with: [0x1f, 0x8b])
        let path = scratchFile(gz ? "input.idx.gz" : "input.idx", input)
        do { _ = try IDXReader.read(path) } catch { expectOneLine(error) }
        do { _ = try IDXReader.readLabels(path) } catch { expectOneLine(error) }
        do { _ = try IDXReader.readHeader(path) } catch { expectOneLine(error) }
        do {
            let reader = try IDXBatchReader(path: path)
            var batches = 0
            while batches < 64, try reader.next(maxExamples: 7) != nil { batches += 1 }
        } catch { expectOneLine(error) }
        return 0
    }
}

import FuzzSupport

/// CSV tables: the training reader (header, string target mapped to classes, NA values)
/// and the batch reader `predict` uses. The first byte picks the options.
@_cdecl("FuzzCSV_main")
func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    fuzzMain(argc, argv) { data, size in
        let input = bytes(data, size)
        let mode = input.first ?? 0
        let path = scratchFile("input.csv", Array(input.dropFirst()))
        let header: Bool? = mode & 3 == 0 ? nil : mode & 3 == 1
        let delimiter: Character = mode & 4 == 0 ? "," : ";"
        let target: [CSVColumn] = mode & 8 == 0 ? [.index(Int(mode >> 4) % 4)] : ["species"]
        do {
            _ = try CSVReader.read(path, options: CSVOptions(header: header, delimiter: delimiter, target: target))
        } catch { expectOneLine(error) }
        do {
            let reader = try CSVBatchReader(path: path, header: header, delimiter: delimiter)
            var batches = 0
            while batches < 64, try reader.next(maxRows: 5) != nil { batches += 1 }
        } catch { expectOneLine(error) }
        return 0
    }
}

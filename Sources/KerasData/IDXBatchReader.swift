/// Streams the examples of an IDX file (plain, gzip or standard input) in batches, so a
/// file larger than memory can be predicted. Checks are those of ``IDXReader``: the header
/// against the file size up front for a plain file, and the exact data length at the end.
///
/// ```swift
/// let reader = try IDXBatchReader(path: "t10k-images-idx3-ubyte.gz")
/// while let batch = try reader.next(maxExamples: 256) { ... }
/// ```
public final class IDXBatchReader {
    /// The file's header; `header.exampleShape` is the shape of each example.
    public let header: IDXHeader
    /// Examples returned so far.
    public private(set) var examplesRead = 0
    private let source: ByteSource
    private var finished = false

    /// Opens `path` (`-` for standard input) and reads its header.
    public init(path: String) throws {
        source = try ByteSource(path: path)
        header = try IDXReader.openHeader(source)
    }

    /// The next batch of at most `maxExamples` examples, or nil after the last one. After the
    /// last example it checks that no data trails the claimed size.
    public func next(maxExamples: Int) throws -> DataArray? {
        if finished { return nil }
        let n = min(max(maxExamples, 1), header.count - examplesRead)
        if n == 0 {
            finished = true
            try IDXReader.expectEnd(source, header: header)
            return nil
        }
        let size = header.exampleSize
        let storage = try IDXReader.readElements(source, header: header, elements: n * size,
                                                 bytesBefore: examplesRead * size * header.type.byteWidth)
        examplesRead += n
        return DataArray(storage: storage, shape: [n] + header.exampleShape, exampleSize: size, rowOffset: 0)
    }
}

/// An N-dimensional array of examples: the first dimension counts examples.
///
/// Storage is compact: unsigned bytes stay bytes (Fashion-MNIST is 47 MB as bytes, 188 MB
/// as Float) and are converted per batch by `gather(_:into:)`; everything else is
/// Float. A row range (``rows(_:)``) shares storage with its parent, so a validation split
/// copies nothing.
public struct DataArray: Sendable {
    /// The element storage of the whole parent array.
    public enum Storage: Sendable {
        case bytes([UInt8])
        case floats([Float])
    }

    /// The storage, possibly shared with a parent array; this view starts at ``rowOffset``.
    public let storage: Storage
    /// The shape of this view; `shape[0]` is ``count``.
    public let shape: [Int]
    /// Elements per example, the product of ``exampleShape``.
    public let exampleSize: Int
    /// The first row of this view within ``storage``.
    public let rowOffset: Int

    /// Number of examples.
    public var count: Int { shape[0] }
    /// The shape of one example (empty for scalars such as labels).
    public var exampleShape: [Int] { Array(shape.dropFirst()) }
    /// Elements in this view.
    public var elementCount: Int { count * exampleSize }
    /// Whether the elements are stored as bytes.
    public var isBytes: Bool { if case .bytes = storage { return true } else { return false } }

    /// Wraps bytes; throws if `shape` is empty, has a negative size or does not match.
    public init(shape: [Int], bytes: [UInt8]) throws {
        let size = try DataArray.checkedExampleSize(shape: shape, elements: bytes.count)
        self.init(storage: .bytes(bytes), shape: shape, exampleSize: size, rowOffset: 0)
    }

    /// Wraps floats; throws if `shape` is empty, has a negative size or does not match.
    public init(shape: [Int], floats: [Float]) throws {
        let size = try DataArray.checkedExampleSize(shape: shape, elements: floats.count)
        self.init(storage: .floats(floats), shape: shape, exampleSize: size, rowOffset: 0)
    }

    init(storage: Storage, shape: [Int], exampleSize: Int, rowOffset: Int) {
        self.storage = storage
        self.shape = shape
        self.exampleSize = exampleSize
        self.rowOffset = rowOffset
    }

    private static func checkedExampleSize(shape: [Int], elements: Int) throws -> Int {
        guard let first = shape.first else { throw DataError(file: "", "a data array needs at least one dimension (examples)") }
        var size = 1
        for d in shape.dropFirst() {
            let (p, overflow) = size.multipliedReportingOverflow(by: d)
            if d < 0 || overflow { throw DataError(file: "", "invalid data shape \(shape)") }
            size = p
        }
        let (total, overflow) = size.multipliedReportingOverflow(by: first)
        if first < 0 || overflow || total != elements {
            throw DataError(file: "", "data shape \(shape) needs \(overflow ? "too many" : String(total)) elements, got \(elements)")
        }
        return size
    }

    /// The element at flat index `index` of this view, as Float.
    public func float(at index: Int) -> Float {
        precondition(index >= 0 && index < elementCount, "DataArray index \(index) out of range")
        let i = rowOffset * exampleSize + index
        switch storage {
        case .bytes(let b): return Float(b[i])
        case .floats(let f): return f[i]
        }
    }

    /// Element `element` of example `row`, as Float.
    public func float(row: Int, element: Int) -> Float {
        precondition(element >= 0 && element < exampleSize, "DataArray element \(element) out of range")
        return float(at: row * exampleSize + element)
    }

    /// Copies the listed examples, converted to Float, contiguously into `dst`
    /// (`rows.count * exampleSize` floats). The per-batch hot path: no allocation.
    public func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>) {
        let n = exampleSize
        let count = self.count
        let offset = rowOffset
        switch storage {
        case .bytes(let b):
            b.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                var out = dst
                for row in rows {
                    precondition(row >= 0 && row < count, "DataArray row \(row) out of range 0..<\(count)")
                    let p = base + (offset + row) * n
                    for e in 0..<n { out[e] = Float(p[e]) }
                    out += n
                }
            }
        case .floats(let f):
            f.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                var out = dst
                for row in rows {
                    precondition(row >= 0 && row < count, "DataArray row \(row) out of range 0..<\(count)")
                    out.update(from: base + (offset + row) * n, count: n)
                    out += n
                }
            }
        }
    }

    /// Copies the listed examples into `dst`; see `gather(_:into:)`.
    public func gather<C: Collection>(_ rows: C, into dst: UnsafeMutablePointer<Float>) where C.Element == Int {
        if rows.withContiguousStorageIfAvailable({ gather($0, into: dst) }) != nil { return }
        let indices = Array(rows)
        indices.withUnsafeBufferPointer { gather($0, into: dst) }
    }

    /// Copies a contiguous range of examples into `dst`.
    public func gather(_ rows: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= count, "DataArray rows \(rows) out of range 0..<\(count)")
        let start = (rowOffset + rows.lowerBound) * exampleSize
        let total = rows.count * exampleSize
        switch storage {
        case .bytes(let b):
            b.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                for i in 0..<total { dst[i] = Float(base[start + i]) }
            }
        case .floats(let f):
            f.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                dst.update(from: base + start, count: total)
            }
        }
    }

    /// All elements of this view as Float.
    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            if let base = buffer.baseAddress { gather(0..<count, into: base) }
            initialized = elementCount
        }
    }

    /// The examples in `range`, sharing storage (no copy).
    public func rows(_ range: Range<Int>) -> DataArray {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "DataArray rows \(range) out of range 0..<\(count)")
        return DataArray(storage: storage, shape: [range.count] + exampleShape, exampleSize: exampleSize,
                         rowOffset: rowOffset + range.lowerBound)
    }

    /// The same examples with a new example shape of the same element count (no copy).
    public func reshaped(exampleShape newShape: [Int]) throws -> DataArray {
        var size = 1
        for d in newShape {
            let (p, overflow) = size.multipliedReportingOverflow(by: d)
            if d <= 0 || overflow { throw DataError(file: "", "reshape \(newShape): every size must be a positive integer") }
            size = p
        }
        if size != exampleSize {
            throw DataError(file: "", "cannot reshape examples of shape \(exampleShape) (\(exampleSize) values) to \(newShape) (\(size) values)")
        }
        return DataArray(storage: storage, shape: [count] + newShape, exampleSize: exampleSize, rowOffset: rowOffset)
    }

    /// Where Keras's `validation_split` cuts `count` examples: the training part is
    /// `0..<index`, validation the last `count - index` (`index = floor(count * (1 - fraction))`).
    /// Throws, as Keras does, when either part would be empty.
    public static func validationSplitIndex(count: Int, fraction: Double) throws -> Int {
        guard fraction > 0, fraction < 1 else {
            throw DataError(file: "", "validation_split must be between 0 and 1 (exclusive), got \(fraction)")
        }
        let index = Int((Double(count) * (1 - fraction)).rounded(.down))
        if index <= 0 || index >= count {
            throw DataError(file: "", "\(count) examples are not enough to split with validation_split=\(fraction)")
        }
        return index
    }

    /// Splits off the last `fraction` of the examples as Keras's `validation_split` does.
    public func splitValidation(fraction: Double) throws -> (train: DataArray, validation: DataArray) {
        let index = try DataArray.validationSplitIndex(count: count, fraction: fraction)
        return (rows(0..<index), rows(index..<count))
    }
}

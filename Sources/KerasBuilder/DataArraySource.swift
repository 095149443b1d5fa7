import KerasData
import KerasEngine

/// A `DataArray` seen by the trainer: examples gathered per batch (bytes stay bytes until
/// then) and preprocessed in the same pass.
public struct DataArraySource: ExampleSource {
    public let array: DataArray
    public let preprocessing: Preprocessing?
    public let exampleShape: [Int]

    /// `preprocessing` must already be validated for `array`'s example size.
    public init(_ array: DataArray, preprocessing: Preprocessing? = nil) {
        self.array = array
        self.preprocessing = preprocessing.flatMap { $0.isIdentity && $0.reshape == nil ? nil : $0 }
        exampleShape = preprocessing?.reshape ?? array.exampleShape
    }

    public var count: Int { array.count }

    public func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>) {
        array.gather(rows, into: dst)
        if let p = preprocessing, !p.isIdentity { p.apply(to: dst, count: rows.count, exampleSize: array.exampleSize) }
    }

    /// The array and the preprocessing are only read.
    public var gathersConcurrently: Bool { true }
}

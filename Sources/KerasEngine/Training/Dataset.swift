/// Examples the trainer can batch: the first axis counts examples. Implementations
/// convert to Float32 only when a batch is gathered (so bytes can stay bytes).
public protocol ExampleSource {
    var count: Int { get }
    /// Shape of one example.
    var exampleShape: [Int] { get }
    /// Writes the listed examples contiguously, converted and preprocessed, into `dst`.
    func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>)
    /// Whether `gather` may run on several threads at once, each for its own rows and
    /// destination (it only reads the source). False unless a source says so.
    var gathersConcurrently: Bool { get }
}

extension ExampleSource {
    public var exampleSize: Int { exampleShape.reduce(1, *) }
    public var gathersConcurrently: Bool { false }

    /// The listed examples as one tensor (batch first).
    public func batch(_ rows: UnsafeBufferPointer<Int>) -> Tensor {
        let t = Tensor(uninitializedShape: [rows.count] + exampleShape)
        let n = exampleSize, dst = t.freshPointer
        guard gathersConcurrently else { gather(rows, into: dst); return t }
        // A batch's rows split over the threads (the seed MLP's gather of 128 random
        // images, bytes to floats and rescaled, ran on one core while the other waited).
        ParallelBatch.elementwise(lines: rows.count, length: n) { r in
            gather(UnsafeBufferPointer(rebasing: rows[r]), into: dst + r.lowerBound * n)
        }
        return t
    }
}

/// Examples held in a tensor.
public struct TensorSource: ExampleSource {
    public let tensor: Tensor
    public init(_ tensor: Tensor) { precondition(tensor.rank >= 1, "a TensorSource needs a batch axis"); self.tensor = tensor }
    public var count: Int { tensor.shape[0] }
    public var exampleShape: [Int] { Array(tensor.shape.dropFirst()) }
    public func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>) {
        let n = exampleSize, src = tensor.pointer
        for (k, r) in rows.enumerated() { (dst + k * n).update(from: src + r * n, count: n) }
    }
    public var gathersConcurrently: Bool { true }
}

/// A contiguous range of another source's examples (validation_split's tail).
public struct RowRangeSource: ExampleSource {
    public let base: any ExampleSource
    public let range: Range<Int>
    public init(_ base: any ExampleSource, _ range: Range<Int>) { self.base = base; self.range = range }
    public var count: Int { range.count }
    public var exampleShape: [Int] { base.exampleShape }
    public func gather(_ rows: UnsafeBufferPointer<Int>, into dst: UnsafeMutablePointer<Float>) {
        let shifted = rows.map { $0 + range.lowerBound }
        shifted.withUnsafeBufferPointer { base.gather($0, into: dst) }
    }
    public var gathersConcurrently: Bool { base.gathersConcurrently }
}

/// Inputs and targets, matched by position to the model's inputs and outputs.
public struct Dataset {
    public var inputs: [any ExampleSource]
    public var targets: [any ExampleSource]
    public init(inputs: [any ExampleSource], targets: [any ExampleSource] = []) { self.inputs = inputs; self.targets = targets }
    public var count: Int { inputs.first?.count ?? 0 }

    /// Keras's validation_split: the last `fraction` of the examples (before shuffling)
    /// become validation data.
    public func split(validationFraction fraction: Double) -> (train: Dataset, validation: Dataset) {
        let n = count
        let cut = n - Int(Double(n) * fraction)
        func part(_ r: Range<Int>) -> Dataset {
            Dataset(inputs: inputs.map { RowRangeSource($0, r) }, targets: targets.map { RowRangeSource($0, r) })
        }
        return (part(0..<cut), part(cut..<n))
    }
}

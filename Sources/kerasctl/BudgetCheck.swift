import KerasEngine

/// Batch sizes from flags and specs, checked against the memory budget before any batch
/// is read or allocated.
enum BudgetCheck {
    /// Throws a usage error (exit 2) naming `source` (`--batch-size`, `fit.batch_size`)
    /// when batches of `batchSize` would not fit.
    static func batch(_ batchSize: Int, model: Model, training: Bool, source: String) throws {
        if let problem = MemoryBudget.batchProblem(model: model, batchSize: batchSize, training: training) {
            throw Failure.usage("\(source) \(batchSize): \(problem)")
        }
    }
}

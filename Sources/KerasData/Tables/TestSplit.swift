/// `test: {split: f}`: a seeded shuffle of a table's rows holds out `ceil(f * n)` of them
/// (at least one, and at least one left for training) as the test set, as scikit-learn's
/// `train_test_split(test_size=f)` sizes it. Both parts keep file order.
///
/// The shuffle is Fisher–Yates driven by SplitMix64 from the seed (for `i` from `n-1` down
/// to 1, swap `i` with `next() % (i + 1)`), so another tool can draw the same split; the
/// test rows are the first `ceil(f * n)` of the shuffled order.
public enum TestSplit {
    public static func split(_ rows: [Int], fraction: Double, seed: UInt64) throws -> (train: [Int], test: [Int]) {
        let n = rows.count
        guard n >= 2 else { throw DataError(file: "", "test split needs at least 2 rows with a target, the table has \(n)") }
        let k = min(max(Int((fraction * Double(n)).rounded(.up)), 1), n - 1)
        var order = rows
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        var i = n - 1
        while i > 0 {
            let j = Int(next() % UInt64(i + 1))
            order.swapAt(i, j)
            i -= 1
        }
        return (Array(order[k...]).sorted(), Array(order[..<k]).sorted())
    }
}

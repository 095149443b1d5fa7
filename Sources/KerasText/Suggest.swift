/// The closest of `candidates` to a misspelled `word`, or nil when none is close.
///
/// A candidate matches when it is equal ignoring case, `_` and `-`
/// (`Sparse_categorical_crossentropy` → `sparse_categorical_crossentropy`,
/// `SparseCategoricalCrossentropy` ↔ `sparse_categorical_crossentropy`), or within a
/// Damerau–Levenshtein distance of 1 to 3 depending on length (`Dens` → `Dense`,
/// `learnin_rate` → `learning_rate`, `rleu` → `relu`).
public func suggest(_ word: String, among candidates: [String]) -> String? {
    let target = normalized(word)
    if let same = candidates.first(where: { normalized($0) == target && $0 != word }) {
        return same
    }
    let lowered = Array(word.lowercased())
    let limit = max(1, min(3, word.count / 3))
    var best: (candidate: String, distance: Int, exact: Int)?
    for candidate in candidates where candidate != word {
        let distance = min(editDistance(lowered, Array(candidate.lowercased())),
                           editDistance(Array(target), Array(normalized(candidate))))
        guard distance <= limit else { continue }
        // Ties go to the spelling closest as written (`sparse_...` over `Sparse...`).
        let exact = editDistance(Array(word), Array(candidate))
        if best == nil || (distance, exact) < (best!.distance, best!.exact) {
            best = (candidate, distance, exact)
        }
    }
    return best?.candidate
}

/// `"; did you mean 'x'?"` when ``suggest(_:among:)`` finds one, else `""`.
public func didYouMean(_ word: String, among candidates: [String]) -> String {
    suggest(word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
}

/// The message for a name nobody knows, the one form every module uses:
/// `message` (`unknown layer 'Dens'`) followed by `; did you mean 'Dense'?` when a
/// candidate is close, else by `otherwise` (the list of known names, or nothing).
public func unknownName(_ message: String, _ word: String, among candidates: [String], otherwise: @autoclosure () -> String) -> String {
    if let guess = suggest(word, among: candidates) { return message + "; did you mean '\(guess)'?" }
    return message + otherwise()
}

/// Lowercased, without `_`, `-` and spaces.
private func normalized(_ word: String) -> String {
    String(word.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost 1.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previous2[j - 2] + 1)
            }
            current[j] = value
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}

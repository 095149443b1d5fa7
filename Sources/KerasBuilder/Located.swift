import KerasSpec

/// Runs `body`; an engine error (a value Keras would reject) becomes a located spec error
/// at `object`. Spec errors pass through unchanged.
func located<T>(_ object: ObjectSpec, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as SpecError { throw e } catch {
        throw object.error("\(error)")
    }
}

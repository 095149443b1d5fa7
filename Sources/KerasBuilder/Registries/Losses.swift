import KerasEngine
import KerasSpec

/// Keras loss class names and function aliases.
public enum LossRegistry {
    nonisolated(unsafe) public static var table = Registry<any Loss>(kind: "loss", [
        (["SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"], { o in
            let r = try o.reader()
            let fromLogits = try r.bool("from_logits", default: false)
            let ignore = try r.int("ignore_class")
            try r.finish()
            return SparseCategoricalCrossentropy(fromLogits: fromLogits, ignoreClass: ignore)
        }),
    ])
}

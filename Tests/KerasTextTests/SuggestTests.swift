import Testing
import KerasText

@Test func suggestions() {
    let layers = ["Dense", "Dropout", "Conv2D", "Flatten"]
    #expect(suggest("Dens", among: layers) == "Dense")
    #expect(suggest("dense", among: layers) == "Dense")
    #expect(suggest("Banana", among: layers) == nil)
    #expect(suggest("relu_6", among: ["relu", "relu6", "elu"]) == "relu6")
    #expect(suggest("rleu", among: ["relu", "relu6", "elu"]) == "relu")
    #expect(suggest("learnin_rate", among: ["learning_rate", "beta_1"]) == "learning_rate")
    #expect(suggest("Sparse_categorical_crossentropy",
                    among: ["sparse_categorical_crossentropy", "categorical_crossentropy"])
            == "sparse_categorical_crossentropy")
    #expect(suggest("SparseCategoricalCrossentropy", among: ["sparse_categorical_crossentropy"])
            == "sparse_categorical_crossentropy")
}

@Test func jsonStrings() {
    #expect(jsonString("plain") == "\"plain\"")
    #expect(jsonString("a\"b\\c\nd\u{08}\u{01}") == "\"a\\\"b\\\\c\\nd\\b\\u0001\"")
}

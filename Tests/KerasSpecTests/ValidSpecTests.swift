import Testing
import KerasSpec

/// Every example of SPEC.md (assembled into whole files) parses, and reads as typed.
@Test(arguments: ["fashion_mlp.yaml", "functional_cnn.yaml", "siamese.yaml", "iris_csv.yaml",
                  "multi_output.yaml", "keras_json.yaml", "minimal.yaml", "anchors.yaml"])
func validSpecParses(file: String) throws {
    let spec = try Fixtures.spec("valid/" + file)
    try MiniBuilder.check(spec)
}

@Test func fashionMLPReadsAsTyped() throws {
    let spec = try Fixtures.spec("valid/fashion_mlp.yaml")
    #expect(spec.name == "fashion_mlp")
    #expect(spec.seed == 42)
    guard case .sequential(let model) = spec.model else { Issue.record("not sequential"); return }
    #expect(model.inputShape == [784])
    #expect(model.layers.map(\.kind) == ["Dense", "Dropout", "Dense", "Dropout", "Dense"])
    #expect(model.layers[1].path == "model.layers[1]")
    let dropout = try model.layers[1].reader(mainArgument: "rate")
    #expect(try dropout.double("rate") == 0.2)
    try dropout.finish()
    let dense = try model.layers[2].reader(mainArgument: "units")
    #expect(try dense.positiveInt("units") == 512)
    let regularizer = try dense.object("kernel_regularizer")
    #expect(regularizer?.name == "l2")
    #expect(regularizer?.path == "model.layers[2].kernel_regularizer")
    #expect(try regularizer?.reader(mainArgument: "l2").double("l2") == 0.0001)

    let data = try #require(spec.data)
    #expect(data.preprocess.rescale == 0.00392156862745098)
    #expect(data.preprocess.standardize == false)
    guard case .idx(let train)? = data.train?.format, case .single(let x) = train.x else {
        Issue.record("train is not a single-file idx source"); return
    }
    #expect(x.resolved == "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

    #expect(spec.compile.optimizer.name == "rmsprop")
    guard case .all(let loss)? = spec.compile.loss else { Issue.record("loss"); return }
    #expect(loss.name == "sparse_categorical_crossentropy")
    guard case .all(let metrics) = spec.compile.metrics else { Issue.record("metrics"); return }
    #expect(metrics.map(\.name) == ["accuracy"])

    #expect(spec.fit.epochs == 20)
    #expect(spec.fit.batchSize == 128)
    #expect(spec.fit.validationSplit == 0.1)
    #expect(spec.fit.shuffle)
    #expect(spec.fit.callbacks.map(\.name) == ["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint",
                                               "CSVLogger", "TerminateOnNaN"])
    let logger = try spec.fit.callbacks[3].reader(mainArgument: "filename")
    #expect(try logger.string("filename") == "history.csv")
}

@Test func functionalModelReadsAsTyped() throws {
    let spec = try Fixtures.spec("valid/functional_cnn.yaml")
    guard case .functional(let model) = spec.model else { Issue.record("not functional"); return }
    #expect(model.inputs.map(\.name) == ["image"])
    #expect(model.inputs[0].shape == [28, 28, 1])
    #expect(model.layers.map(\.name) == ["c1", "c2", "skip", "act", "gap", "probs"])
    #expect(model.layers[2].inputs == ["c1", "c2"])
    #expect(model.outputs == ["probs"])
    let conv = try model.layers[0].reader()
    #expect(try conv.intOrTuple("kernel_size", count: 2) == [3, 3])
    #expect(model.layers[0].error("boom").description
            == "valid/functional_cnn.yaml:12:7: model.layers[0] (Conv2D 'c1'): boom")
    #expect(spec.compile.optimizer.name == "Adam")
    #expect(spec.data?.preprocess.reshape == [28, 28, 1])
}

@Test func siameseSharedLayer() throws {
    let spec = try Fixtures.spec("valid/siamese.yaml")
    guard case .functional(let model) = spec.model else { Issue.record("not functional"); return }
    let shared = model.layers[1]
    #expect(shared.kind == "Shared")
    #expect(shared.name == "enc_right")
    #expect(shared.inputs == ["right"])
    let args = try shared.reader()
    #expect(try args.string("layer") == "enc")
    try args.finish()
    #expect(model.outputs == ["same"])
}

@Test func csvSourcesResolveAgainstTheSpecFolder() throws {
    let spec = try Fixtures.spec("valid/iris_csv.yaml")
    guard case .csv(let train)? = spec.data?.train?.format else { Issue.record("train"); return }
    #expect(train.path.original == "iris.csv")
    #expect(train.path.resolved == "valid/iris.csv")
    #expect(train.header)
    #expect(train.delimiter == ",")
    guard case .single(.name("species"))? = train.target else { Issue.record("target"); return }
    guard case .csv(let test)? = spec.data?.test?.format else { Issue.record("test"); return }
    #expect(test.path.resolved == "valid/../data/iris_test.csv")
    #expect(test.features == [.index(0), .index(1), .name("sepal_width"), .index(3)])
    guard case .single(.index(4))? = test.target else { Issue.record("test target"); return }
    #expect(spec.data?.preprocess.standardize == true)
    guard case .sequential(let model) = spec.model else { Issue.record("model"); return }
    #expect(model.inputShape == [4])
    #expect(model.layers.count == 2)
    #expect(spec.fit.validation != nil)
    #expect(spec.fit.validationSplit == nil)
    #expect(spec.fit.batchSize == 32)
}

@Test func multiOutputCompileMaps() throws {
    let spec = try Fixtures.spec("valid/multi_output.yaml")
    guard case .byOutput(let losses)? = spec.compile.loss else { Issue.record("loss"); return }
    #expect(losses.map(\.name) == ["label", "size"])
    #expect(losses.map(\.value.name) == ["sparse_categorical_crossentropy", "mse"])
    guard case .byOutput(let weights)? = spec.compile.lossWeights else { Issue.record("weights"); return }
    #expect(weights.map(\.value) == [1.0, 0.5])
    guard case .byOutput(let metrics) = spec.compile.metrics else { Issue.record("metrics"); return }
    #expect(metrics.map { $0.value.map(\.name) } == [["accuracy"], ["mae"]])
    guard case .idx(let train)? = spec.data?.train?.format, case .byName(let xs) = train.x else {
        Issue.record("x"); return
    }
    #expect(xs.map(\.name) == ["image", "meta"])
    #expect(xs[0].value.resolved == "valid/imgs.idx.gz")
}

@Test func kerasJSONAndDefaults() throws {
    let spec = try Fixtures.spec("valid/keras_json.yaml")
    guard case .kerasJSON(let model) = spec.model else { Issue.record("not keras_json"); return }
    #expect(model.path.resolved == "valid/exported/model.json")
    #expect(spec.name == "keras_json")
    #expect(spec.data == nil)

    let minimal = try Fixtures.spec("valid/minimal.yaml")
    #expect(minimal.compile.optimizer.name == "rmsprop")
    #expect(minimal.compile.loss == nil)
    #expect(minimal.fit.epochs == 1)
    #expect(minimal.fit.batchSize == 32)
    #expect(minimal.fit.shuffle)
    #expect(minimal.seed == nil)
}

@Test func aliasesExpandWithTheirOwnPaths() throws {
    let spec = try Fixtures.spec("valid/anchors.yaml")
    guard case .sequential(let model) = spec.model else { Issue.record("model"); return }
    let second = try #require(model.layers[1].object.args)
    #expect(second.pathString == "model.layers[1].Dense")
    #expect(second["units"]?.scalar?.value == .int(32))
}

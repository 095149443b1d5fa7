import XCTest
@testable import KerasEngine

/// Shape inference, shape errors and parameter counts against Keras.
final class ConvShapeTests: XCTestCase {
    func shapeError(_ layer: any Layer, _ input: [Int]) -> String {
        var ctx = BuildContext(rng: RNG(seed: 0))
        do { _ = try layer.build(inputShapes: [input], context: &ctx); return "no error" } catch { return "\(error)" }
    }

    func testShapeErrorsNameLayerAndShapes() {
        XCTAssertEqual(shapeError(Convolution(.init(rank: 2, filters: 32, kernelSize: [3]), name: "conv2d"), [784]),
                       "conv2d: Conv2D expects input of shape (None, height, width, channels), got (None, 784)")
        XCTAssertEqual(shapeError(Convolution(.init(rank: 1, filters: 8, kernelSize: [3]), name: "c1"), [28, 28, 1]),
                       "c1: Conv1D expects input of shape (None, steps, channels), got (None, 28, 28, 1)")
        XCTAssertEqual(shapeError(Convolution(.init(rank: 2, filters: 8, kernelSize: [5]), name: "c"), [3, 3, 1]),
                       "c: Conv2D window (5, 5) (kernel (5, 5), dilation (1, 1)) is larger than the input (None, 3, 3, 1) with padding \"valid\"")
        XCTAssertEqual(shapeError(Pooling(.init(kind: .max, rank: 2, poolSize: [3]), name: "p"), [2, 2, 4]),
                       "p: MaxPooling2D window (3, 3) (kernel (3, 3), dilation (1, 1)) is larger than the input (None, 2, 2, 4) with padding \"valid\"")
        var grouped = Convolution.Config(rank: 2, filters: 6, kernelSize: [3]); grouped.groups = 4
        XCTAssertTrue(shapeError(Convolution(grouped, name: "g"), [8, 8, 4]).contains("filters (6) must be divisible by groups (4)"))
        var dil = Convolution.Config(rank: 2, filters: 6, kernelSize: [3]); dil.strides = [2]; dil.dilationRate = [2]
        XCTAssertTrue(shapeError(Convolution(dil, name: "d"), [8, 8, 4]).contains("strides > 1 is not supported together with dilation_rate > 1"))
        var causal = Convolution.Config(rank: 2, filters: 6, kernelSize: [3]); causal.padding = .causal
        XCTAssertTrue(shapeError(Convolution(causal, name: "c"), [8, 8, 4]).contains("does not support padding \"causal\""))
        XCTAssertEqual(shapeError(GlobalPooling(.init(kind: .average, rank: 2), name: "gap"), [10]),
                       "gap: GlobalAveragePooling2D expects input of shape (None, height, width, channels), got (None, 10)")
        XCTAssertEqual(shapeError(BatchNormalization(name: "bn"), []),
                       "bn: BatchNormalization needs an input with at least one axis, got (None,)")
        XCTAssertTrue(shapeError(SpatialPadding(.init(rank: 2, crop: true, amounts: [(2, 2), (0, 0)]), name: "crop"), [4, 4, 1])
            .contains("Cropping2D cropping 2+2 leaves nothing of axis 1 of input (None, 4, 4, 1)"))
        XCTAssertEqual(shapeError(RepeatVector(n: 3, name: "rv"), [2, 3]),
                       "rv: RepeatVector expects input of rank 2 (batch, features), got (None, 2, 3)")
        XCTAssertTrue(shapeError(Permute(dims: [1, 3], name: "perm"), [2, 3]).contains("must be a permutation of 1...2"))
        XCTAssertTrue(shapeError(LayerNormalization(.init(axis: [3]), name: "ln"), [2, 3]).contains("axis [3] is out of range"))
        XCTAssertTrue(shapeError(LayerNormalization(.init(axis: [2, -1]), name: "ln"), [2, 3]).contains("repeats an axis"))
        XCTAssertEqual(shapeError(SpatialDropout(rank: 1, rate: 0.2, name: "sd"), [4, 4, 2]),
                       "sd: SpatialDropout1D expects input of shape (None, steps, channels), got (None, 4, 4, 2)")
    }

    /// Keras 3.15 (TF): the same stack gives 7890 trainable and 192 non-trainable weights,
    /// with these per-layer counts and output shapes.
    func testParameterCountsMatchKeras() throws {
        var sep = SeparableConvolution.Config(rank: 2, filters: 64, kernelSize: [3]); sep.padding = .same
        var tr = ConvolutionTranspose.Config(rank: 2, filters: 8, kernelSize: [3]); tr.strides = [2]; tr.padding = .same
        let layers: [any Layer] = [
            Convolution(.init(rank: 2, filters: 32, kernelSize: [3], activation: .relu())), BatchNormalization(),
            Pooling(.init(kind: .max, rank: 2)), SeparableConvolution(sep), BatchNormalization(name: "bn2"),
            ConvolutionTranspose(tr), DepthwiseConvolution(.init(rank: 2, kernelSize: [3], depthMultiplier: 2)),
            GlobalPooling(.init(kind: .average, rank: 2)), LayerNormalization(), Dense(units: 10, activation: .softmax()),
        ]
        var ctx = BuildContext(rng: RNG(seed: 1))
        var shape = [28, 28, 1]
        var shapes: [[Int]] = []
        for l in layers { shape = try l.build(inputShapes: [shape], context: &ctx)[0]; shapes.append(shape) }
        XCTAssertEqual(layers.map(\.parameterCount), [320, 128, 0, 2400, 256, 4616, 160, 0, 32, 170])
        XCTAssertEqual(shapes, [[26, 26, 32], [26, 26, 32], [13, 13, 32], [13, 13, 64], [13, 13, 64], [26, 26, 8],
                                [24, 24, 16], [16], [16], [10]])
        XCTAssertEqual(layers.map(\.trainableCount).reduce(0, +), 7890)
        XCTAssertEqual(layers.map { $0.parameterCount - $0.trainableCount }.reduce(0, +), 192)
        XCTAssertEqual(layers.map(\.typeName), ["Conv2D", "BatchNormalization", "MaxPooling2D", "SeparableConv2D",
                                                "BatchNormalization", "Conv2DTranspose", "DepthwiseConv2D",
                                                "GlobalAveragePooling2D", "LayerNormalization", "Dense"])
    }

    /// A small CNN with BatchNormalization learns through `Sequential.fit`.
    func testSmallCNNTrains() throws {
        var rng = RNG(seed: 4)
        let n = 64
        var x = Tensor(shape: [n, 6, 6, 1]), y = Tensor(shape: [n])
        for i in 0..<n {
            let c = i % 2
            y[flat: i] = Float(c)
            // Class 0: bright left half; class 1: bright right half.
            for r in 0..<6 { for col in 0..<6 {
                x[flat: i * 36 + r * 6 + col] = Float(rng.normal()) * 0.3 + ((col < 3) == (c == 0) ? 1 : 0)
            } }
        }
        let model = Sequential(layers: [
            Convolution(.init(rank: 2, filters: 4, kernelSize: [3], activation: .relu())), BatchNormalization(),
            Pooling(.init(kind: .max, rank: 2)), Flatten(), Dense(units: 2, activation: .softmax()),
        ])
        try model.build(inputShapes: [[6, 6, 1]], seed: 1)
        model.compile(optimizer: Optimizer(RMSprop(), learningRate: ConstantLearningRate(0.01)),
                      losses: [SparseCategoricalCrossentropy()], metrics: [[SparseCategoricalAccuracy(name: "accuracy")]])
        let data = Dataset(inputs: [TensorSource(x)], targets: [TensorSource(y)])
        let history = try model.fit(data, options: FitOptions(epochs: 15, batchSize: 16, seed: 1))
        XCTAssertLessThan(history.logs.last!["loss"]!, history.logs[0]["loss"]! * 0.5)
        XCTAssertGreaterThan(try model.evaluate(data)["accuracy"]!, 0.95)
    }
}

import Foundation
import XCTest

/// Bad input of every kind ends with one clear line and the documented exit code.
final class ErrorExitTests: TempDirTestCase {

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let u = dir.appendingPathComponent(name)
        try Data(bytes).write(to: u)
        return u.path
    }

    /// A spec training on the given x/y IDX files.
    func idxSpec(x: String, y: String) throws -> String {
        try write("spec.yaml", """
        data:
          train: {format: idx, x: \(x), y: \(y)}
        model:
          layers:
            - Flatten
            - Dense: {units: 3, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy}
        """)
    }

    func testBrokenSpecIsLocatedExit2() throws {
        let r = try CLI.run(["validate", "specs/broken.yaml"])
        CLI.assertFails(r, code: 2, contains: "specs/broken.yaml:7:22: model.layers[1] (Dense): units must be a positive integer, got -4")
    }

    func testUnknownLayerSuggests() throws {
        let s = try write("s.yaml", "model:\n  input_shape: [4]\n  layers:\n    - Dens: 3\n")
        CLI.assertFails(try CLI.run(["validate", s]), code: 2, contains: "s.yaml:4:7: model.layers[0] (Dens): unknown layer 'Dens'; did you mean 'Dense'?")
    }

    /// validate builds the callbacks (train does before any epoch): a bad argument, and a
    /// learning-rate callback over an optimizer schedule, stop with a located error.
    func testCallbacksAreCheckedBeforeTraining() throws {
        let data = FileManager.default.currentDirectoryPath + "/datasets/iris_train.csv"
        func spec(_ callback: String, optimizer: String) throws -> String {
            try write("cb.yaml", """
            data:
              train: {format: csv, path: \(data), target: species}
            model:
              layers:
                - Dense: {units: 3, activation: softmax}
            compile:
              optimizer: \(optimizer)
              loss: sparse_categorical_crossentropy
            fit:
              epochs: 2
              callbacks:
                - \(callback)
            """)
        }
        let schedule = "{Adam: {learning_rate: {ExponentialDecay: {initial_learning_rate: 0.01, decay_steps: 10, decay_rate: 0.9}}}}"
        let plateau = try spec("ReduceLROnPlateau: {monitor: loss, factor: 0.5}", optimizer: schedule)
        for command in ["validate", "train"] {
            CLI.assertFails(try CLI.run([command, plateau]), code: 2,
                            contains: "cb.yaml:12:7: fit.callbacks[0] (ReduceLROnPlateau): ReduceLROnPlateau sets the learning rate, but compile.optimizer's learning_rate is a schedule")
        }
        let scheduler = try spec("LearningRateScheduler: {rates: [0.1, 0.05]}", optimizer: schedule)
        CLI.assertFails(try CLI.run(["validate", scheduler]), code: 2, contains: "LearningRateScheduler sets the learning rate")
        // The same callbacks over a constant learning rate are fine.
        XCTAssertEqual(try CLI.run(["validate", try spec("ReduceLROnPlateau: {monitor: loss, factor: 0.5}", optimizer: "adam")]).code, 0)
        // A bad callback argument is caught by validate, not only by train.
        CLI.assertFails(try CLI.run(["validate", try spec("EarlyStopping: {patience: -1}", optimizer: "adam")]), code: 2,
                        contains: "cb.yaml:12:33: fit.callbacks[0] (EarlyStopping): patience must be a non-negative integer, got -1")
    }

    func testMalformedYAMLAndEmptyAndBinary() throws {
        CLI.assertFails(try CLI.run(["validate", try write("a.yaml", "model: [unclosed\n")]), code: 2, contains: "a.yaml:")
        CLI.assertFails(try CLI.run(["validate", try write("b.yaml", "")]), code: 2, contains: "b.yaml")
        CLI.assertFails(try CLI.run(["validate", try writeBytes("c.yaml", [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1])]), code: 2, contains: "c.yaml")
    }

    func testMissingSpecAndUsageErrors() throws {
        CLI.assertFails(try CLI.run(["train", dir.appendingPathComponent("none.yaml").path]), code: 2, contains: "none.yaml")
        CLI.assertFails(try CLI.run(["train"]), code: 2, contains: "Missing expected argument")
        CLI.assertFails(try CLI.run(["frobnicate"]), code: 2, contains: "frobnicate")
        CLI.assertFails(try CLI.run(["train", "specs/fashion_mlp.yaml", "--epochs", "-3"]), code: 2, contains: "--epochs")
        let help = try CLI.run(["--help"])
        XCTAssertEqual(help.code, 0)
        XCTAssertTrue(help.stdout.contains("train"))
    }

    func testTrainWithoutDataOrLoss() throws {
        let s = try write("s.yaml", "model:\n  input_shape: [4]\n  layers: [{Dense: 3}]\n")
        CLI.assertFails(try CLI.run(["train", s]), code: 2, contains: "data")
    }

    func testMissingDataFileExit3() throws {
        let s = try idxSpec(x: "missing.idx", y: "missing-labels.idx")
        CLI.assertFails(try CLI.run(["train", s]), code: 3, contains: "missing.idx")
    }

    func testIDXHeaderClaiming2To31ItemsExit3() throws {
        // ubyte, rank 1, 2^31 items, but only 4 bytes of data.
        let x = try writeBytes("x.idx", [0, 0, 8, 1, 0x80, 0, 0, 0, 1, 2, 3, 4])
        let y = try writeBytes("y.idx", [0, 0, 8, 1, 0, 0, 0, 1, 0])
        CLI.assertFails(try CLI.run(["train", try idxSpec(x: x, y: y)]), code: 3, contains: "x.idx")
    }

    func testTruncatedAndCorruptGzipExit3() throws {
        let y = try writeBytes("y.idx", [0, 0, 8, 1, 0, 0, 0, 1, 0])
        // A gzip header followed by garbage.
        let bad = try writeBytes("bad.idx.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef])
        CLI.assertFails(try CLI.run(["train", try idxSpec(x: bad, y: y)]), code: 3, contains: "bad.idx.gz")
        // The real Fashion-MNIST labels cut short.
        let real = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"
        if let data = FileManager.default.contents(atPath: real) {
            let cut = try writeBytes("cut.idx.gz", Array(data.prefix(data.count / 2)))
            CLI.assertFails(try CLI.run(["train", try idxSpec(x: cut, y: y)]), code: 3, contains: "cut.idx.gz")
        }
    }

    func testRaggedCSVExit3() throws {
        let csv = try write("r.csv", "a,b,label\n1,2,0\n3,4\n5,6,1\n")
        let s = try write("s.yaml", """
        data:
          train: {format: csv, path: \(csv), target: label}
        model:
          layers: [{Dense: {units: 2, activation: softmax}}]
        compile: {loss: sparse_categorical_crossentropy}
        """)
        CLI.assertFails(try CLI.run(["train", s]), code: 3, contains: "r.csv:3")
    }

    func testLabelOutsideClassesExit3() throws {
        let csv = try write("l.csv", "a,b,label\n1,2,0\n3,4,7\n5,6,1\n")
        let s = try write("s.yaml", """
        data:
          train: {format: csv, path: \(csv), target: label}
        model:
          layers: [{Dense: {units: 2, activation: softmax}}]
        compile: {loss: sparse_categorical_crossentropy}
        """)
        CLI.assertFails(try CLI.run(["train", s]), code: 3, contains: "label 7")
    }
}

/// The seed model on the real data, 20 epochs. Its test accuracy is a random quantity: the
/// seed and the BLAS kernels (which differ between machines of this kind, and so does float
/// rounding) move it. Measured with bench/accuracy_spread.sh, seeds 1-5 (2026-11-29):
/// Prescott kernels 0.8916 0.8878 0.8880 0.8828 0.8852, Haswell 0.8971 0.8915 0.8879 0.8791
/// 0.8880 (mean 0.888, sd 0.005, range 0.879-0.897). The bar, 0.87, sits 0.009 under the
/// lowest result and 3.5 sd under the mean: it catches a model that stopped learning well,
/// not the seed's luck. The README reports the 0.89 figure as a benchmark with its spread.
final class SeedModelTests: XCTestCase {
    func testFashionMLPAccuracyWithinMeasuredSpread() throws {
        XCTAssertGreaterThanOrEqual(try CLI.fashionTestAccuracy(spec: "specs/fashion_mlp.yaml", epochs: 20), 0.87)
    }
}

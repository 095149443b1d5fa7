import XCTest
@testable import KerasEngine

final class LossesTests: XCTestCase {
    /// The loss a fixture case describes (Keras class name + kwargs), or nil if not built here.
    static func makeLoss(_ cls: String, _ kw: [String: Any]) -> (any RowwiseLoss)? {
        let fromLogits = kw["from_logits"] as? Bool ?? false
        let ls = Float(kw["label_smoothing"] as? Double ?? 0)
        switch cls {
        case "MeanSquaredError": return MeanSquaredError()
        case "MeanAbsoluteError": return MeanAbsoluteError()
        case "MeanAbsolutePercentageError": return MeanAbsolutePercentageError()
        case "MeanSquaredLogarithmicError": return MeanSquaredLogarithmicError()
        case "Poisson": return Poisson()
        case "KLDivergence": return KLDivergence()
        case "Hinge": return Hinge()
        case "SquaredHinge": return SquaredHinge()
        case "CategoricalHinge": return CategoricalHinge()
        case "LogCosh": return LogCosh()
        case "Huber": return Huber(delta: Float(kw["delta"] as? Double ?? 1))
        case "CosineSimilarity": return CosineSimilarity()
        case "BinaryCrossentropy": return BinaryCrossentropy(fromLogits: fromLogits, labelSmoothing: ls)
        case "CategoricalCrossentropy": return CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: ls)
        case "SparseCategoricalCrossentropy": return SparseCategoricalCrossentropy(fromLogits: fromLogits)
        default: return nil
        }
    }

    func testLossesMatchKeras() throws {
        var ran: [String] = []
        for c in try KerasReference.cases("losses") {
            let name = c["name"] as! String, cls = c["class"] as! String
            let kw = c["kwargs"] as? [String: Any] ?? [:]
            guard c["sample_weight"] == nil, let loss = Self.makeLoss(cls, kw) else { continue }
            let yTrue = KerasReference.tensor(c["y_true"])!, yPred = KerasReference.tensor(c["y_pred"])!
            let perSample = KerasReference.tensor(c["per_sample"])!
            let want = Float(c["loss"] as! Double)
            let tol: Float = 2e-5
            KerasReference.assertClose(loss.perExample(yTrue, yPred), perSample, tolerance: tol, "\(name) per_sample")
            let tape = Tape()
            let x = tape.watch(yPred)
            let l = loss(yTrue, x)
            if kw["reduction"] as? String == "sum" {
                let s = perSample.scalars.reduce(0, +)
                XCTAssertEqual(loss.perExample(yTrue, yPred).scalars.reduce(0, +), s, accuracy: tol * Swift.max(1, Swift.abs(s)), name)
                tape.stop()
            } else {
                XCTAssertEqual(l.scalar, want, accuracy: tol * Swift.max(1, Swift.abs(want)), name)
                let g = tape.gradients(of: l, for: [x])[0]
                KerasReference.assertClose(g, KerasReference.tensor(c["grad_y_pred"])!, tolerance: tol, "\(name) grad")
            }
            ran.append(name)
        }
        // Every fixture case without sample weights for a loss built here ran (focal, dice, tversky are not built).
        XCTAssertEqual(ran.count, 30, "ran: \(ran)")
    }

    func testGradientCheckEveryLoss() {
        let reg = GradientCheck.random([4, 3], seed: 21), regT = GradientCheck.random([4, 3], seed: 22)
        // Positive values away from the eps clips.
        var pos = Tensor(shape: [4, 3]), posT = Tensor(shape: [4, 3])
        for i in 0..<12 { pos[flat: i] = 0.2 + 0.6 * Float((i * 7) % 12) / 12; posT[flat: i] = 0.1 + 0.8 * Float((i * 5) % 12) / 12 }
        let bin = Tensor(shape: [4, 3], data: [1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1])
        let onehot = Tensor(shape: [4, 3], data: [0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0])
        let sparse = Tensor(shape: [4], data: [1, 2, 0, 1])
        let probs = Tensor(shape: [4, 3], data: [0.1, 0.7, 0.2, 0.25, 0.25, 0.5, 0.6, 0.3, 0.1, 0.3, 0.3, 0.4])
        let cases: [(String, any Loss, Tensor, Tensor, Float)] = [
            ("mse", MeanSquaredError(), regT, reg, 1e-2),
            ("mae", MeanAbsoluteError(), regT, reg, 1e-3),
            ("mape", MeanAbsolutePercentageError(), regT, reg, 1e-3),
            ("msle", MeanSquaredLogarithmicError(), posT, pos, 1e-3),
            ("poisson", Poisson(), posT, pos, 1e-3),
            ("kld", KLDivergence(), posT, pos, 1e-3),
            ("hinge", Hinge(), bin, reg, 1e-3),
            ("squared_hinge", SquaredHinge(), bin, reg, 1e-3),
            ("categorical_hinge", CategoricalHinge(), onehot, reg, 1e-3),
            ("log_cosh", LogCosh(), regT, reg, 1e-2),
            ("huber", Huber(), regT, reg, 1e-3),
            ("huber_0.3", Huber(delta: 0.3), regT, reg, 1e-3),
            ("cosine", CosineSimilarity(), regT, reg, 1e-2),
            ("bce", BinaryCrossentropy(), bin, pos, 1e-3),
            ("bce_ls", BinaryCrossentropy(labelSmoothing: 0.2), bin, pos, 1e-3),
            ("bce_logits", BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), bin, reg, 1e-2),
            ("cce", CategoricalCrossentropy(), onehot, pos, 1e-3),
            ("cce_soft_ls", CategoricalCrossentropy(labelSmoothing: 0.1), probs, pos, 1e-3),
            ("cce_logits", CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), probs, reg, 1e-2),
            ("scce", SparseCategoricalCrossentropy(), sparse, pos, 1e-3),
            ("scce_logits", SparseCategoricalCrossentropy(fromLogits: true), sparse, reg, 1e-2),
            ("scce_ignore", SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 2), sparse, reg, 1e-2),
        ]
        for (name, loss, t, p, eps) in cases {
            // Skip elements within eps of a kink (|p - t| = 0 or delta, hinge margin 1).
            let r = GradientCheck.check(inputs: [p], eps: eps, tolerance: 2e-2) { loss(t, $0[0]) }
            XCTAssertGreaterThan(r.checked, 0, name)
        }
    }

    func testIgnoreClassDividesByValidRows() {
        let p = Tensor(shape: [3, 2], data: [0.5, 0.5, 0.9, 0.1, 0.2, 0.8])
        let y = Tensor(shape: [3], data: [0, -1, 1])
        let l = SparseCategoricalCrossentropy(ignoreClass: -1)(y, p).scalar
        XCTAssertEqual(l, Float(-(Foundation.log(0.5) + Foundation.log(0.8)) / 2), accuracy: 1e-6)
        XCTAssertEqual(SparseCategoricalCrossentropy(ignoreClass: 0)(Tensor(shape: [1], data: [0]), Tensor(shape: [1, 2], data: [0.5, 0.5])).scalar, 0)
    }

    func testCheckTargets() {
        XCTAssertNoThrow(try SparseCategoricalCrossentropy().checkTargets(targetShape: [], outputShape: [10]))
        XCTAssertNoThrow(try SparseCategoricalCrossentropy().checkTargets(targetShape: [1], outputShape: [10]))
        XCTAssertThrowsError(try SparseCategoricalCrossentropy().checkTargets(targetShape: [10], outputShape: [10]))
        XCTAssertNoThrow(try CategoricalCrossentropy().checkTargets(targetShape: [10], outputShape: [10]))
        XCTAssertThrowsError(try CategoricalCrossentropy().checkTargets(targetShape: [], outputShape: [10])) { e in
            XCTAssertTrue("\(e)".contains("sparse_categorical_crossentropy"), "\(e)")
        }
        XCTAssertNoThrow(try BinaryCrossentropy().checkTargets(targetShape: [], outputShape: [1]))
        XCTAssertNoThrow(try BinaryCrossentropy().checkTargets(targetShape: [3], outputShape: [3]))
        XCTAssertThrowsError(try BinaryCrossentropy().checkTargets(targetShape: [1], outputShape: [3]))
        XCTAssertThrowsError(try MeanSquaredError().checkTargets(targetShape: [2], outputShape: [3]))
        XCTAssertThrowsError(try CosineSimilarity(axis: 0).checkTargets(targetShape: [3], outputShape: [3]))
    }

    func testLossNamesAreKerasDefaults() {
        let names: [(any Loss, String)] = [
            (MeanSquaredError(), "mean_squared_error"), (MeanAbsoluteError(), "mean_absolute_error"),
            (MeanAbsolutePercentageError(), "mean_absolute_percentage_error"),
            (MeanSquaredLogarithmicError(), "mean_squared_logarithmic_error"), (Poisson(), "poisson"),
            (KLDivergence(), "kl_divergence"), (Hinge(), "hinge"), (SquaredHinge(), "squared_hinge"),
            (CategoricalHinge(), "categorical_hinge"), (LogCosh(), "log_cosh"), (Huber(), "huber_loss"),
            (CosineSimilarity(), "cosine_similarity"), (BinaryCrossentropy(), "binary_crossentropy"),
            (CategoricalCrossentropy(), "categorical_crossentropy"),
            (SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy"),
        ]
        for (l, n) in names { XCTAssertEqual(l.name, n) }
    }

    func testCrossentropyResolution() {
        func resolved(_ t: [Int], _ o: [Int]) -> String? { CompileResolution.crossentropyLoss("ce", targetShape: t, outputShape: o).map { "\(type(of: $0))" } }
        XCTAssertEqual(resolved([1], [1]), "BinaryCrossentropy")
        XCTAssertEqual(resolved([], [10]), "SparseCategoricalCrossentropy")
        XCTAssertEqual(resolved([1], [10]), "SparseCategoricalCrossentropy")
        XCTAssertEqual(resolved([10], [10]), "CategoricalCrossentropy")
        XCTAssertNil(CompileResolution.crossentropyLoss("mse", targetShape: [1], outputShape: [1]))
        XCTAssertEqual(CompileResolution.crossentropyLoss("CrossEntropy", targetShape: [1], outputShape: [1])?.name, "CrossEntropy")
    }
}

import Foundation
import XCTest
@testable import KerasEngine

/// Three `apply_gradients` steps of every optimizer config in `optimizers.json` (real Keras),
/// compared on the variables and on every per-variable slot after each step.
final class OptimizerTests: XCTestCase {
    /// Builds the engine optimizer for a fixture case from its Keras kwargs.
    static func optimizer(className: String, kwargs: [String: Any]) throws -> Optimizer {
        guard let entry = OptimizerCatalog.entry(named: className) else { throw XCTSkip("no optimizer \(className)") }
        let base = Set(["learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "gradient_accumulation_steps"])
        var args: [(name: String, value: KerasValue)] = []
        for (k, v) in kwargs where !base.contains(k) {
            let isBool = entry.arguments.first { $0.name == k }.map { if case .bool = $0.value { return true } else { return false } } ?? false
            args.append((k, isBool ? .bool(v as! Bool) : .number((v as! NSNumber).doubleValue)))
        }
        let rule = try entry.make(args)
        func num(_ k: String) -> Float? { (kwargs[k] as? NSNumber).map { $0.floatValue } }
        var lr: (any LearningRateSchedule)?
        if let s = kwargs["learning_rate"] as? [String: Any] {
            let a = s["args"] as! [String: Double]
            XCTAssertEqual(s["class"] as? String, "ExponentialDecay")
            lr = try ExponentialDecay(initialLearningRate: a["initial_learning_rate"]!, decaySteps: a["decay_steps"]!,
                                      decayRate: a["decay_rate"]!)
        } else if let v = num("learning_rate") {
            lr = ConstantLearningRate(v)
        }
        return try Optimizer.validated(rule, learningRate: lr, clipnorm: num("clipnorm"), clipvalue: num("clipvalue"),
                                       globalClipnorm: num("global_clipnorm"), weightDecay: num("weight_decay"),
                                       gradientAccumulationSteps: (kwargs["gradient_accumulation_steps"] as? NSNumber)?.intValue)
    }

    /// Runs the fixture's steps; returns how many values were compared.
    @discardableResult
    static func run(_ c: [String: Any], tolerance: Float, checkSlots: Bool = true) throws -> Int {
        let name = c["name"] as! String
        let opt = try optimizer(className: c["class"] as! String, kwargs: c["kwargs"] as! [String: Any])
        let params = (c["initial_variables"] as! [Any]).enumerated().map {
            Parameter(name: "v\($0.offset)", value: KerasReference.tensor($0.element)!)
        }
        var compared = 0
        for (k, (gs, step)) in zip(c["gradients"] as! [[Any]], c["steps"] as! [[String: Any]]).enumerated() {
            var grads = Gradients()
            for (p, g) in zip(params, gs) { grads[p] = KerasReference.tensor(g)! }
            opt.apply(grads, to: params)
            for (p, want) in zip(params, step["variables"] as! [Any]) {
                KerasReference.assertClose(p.value, KerasReference.tensor(want)!, tolerance: tolerance, "\(name) step \(k + 1) \(p.name)")
                compared += p.count
            }
            guard checkSlots, let slots = step["optimizer_variables"] as? [String: Any] else { continue }
            for (key, value) in slots {
                let want = KerasReference.tensor(value)
                if key == "iteration" {
                    XCTAssertEqual(opt.iterations, k + 1, name); continue
                }
                if key == "variable", let nadam = opt.rule as? Nadam, let want {   // Nadam's u_product
                    XCTAssertEqual(nadam.uProduct, want.scalar, accuracy: 1e-6, name); compared += 1; continue
                }
                let parts = key.split(separator: "_", maxSplits: 1).map(String.init)
                guard parts.count == 2, let want, let idx = opt.rule.slotNames.firstIndex(of: parts[1]) else { continue }
                guard let state = opt.slots[parts[0]] else { XCTFail("\(name): no slots for \(parts[0])"); continue }
                KerasReference.assertClose(state[idx], want, tolerance: tolerance, "\(name) step \(k + 1) \(key)")
                compared += want.count
            }
        }
        return compared
    }

    func testEveryOptimizerAgainstKeras() throws {
        let cases = try KerasReference.cases("optimizers")
        XCTAssertGreaterThanOrEqual(cases.count, 32)
        var ran: [String] = []
        for c in cases {
            let n = try Self.run(c, tolerance: 2e-6)
            XCTAssertGreaterThan(n, 0, c["name"] as! String)
            ran.append(c["name"] as! String)
        }
        // Every Keras optimizer class in the fixture was exercised.
        let classes = Set(cases.map { $0["class"] as! String })
        XCTAssertEqual(classes, Set(OptimizerCatalog.all.map(\.className)))
        XCTAssertEqual(ran.count, cases.count)
    }

    func testGradientAccumulationAgainstKeras() throws {
        guard let url = Bundle.module.url(forResource: "Fixtures/keras_reference/optim_regularizers", withExtension: "json"),
              let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let cases = root["accumulation"] as? [[String: Any]] else { return XCTFail("missing accumulation fixture") }
        XCTAssertEqual(cases.count, 2)
        for c in cases { XCTAssertGreaterThan(try Self.run(c, tolerance: 2e-6, checkSlots: false), 0) }
    }

    /// The catalog's defaults are Keras's `get_config()` of a default-constructed optimizer.
    func testDefaultsMatchKerasConfig() throws {
        var checked = Set<String>()
        for c in try KerasReference.cases("optimizers") {
            let cls = c["class"] as! String
            guard !checked.contains(cls), let cfg = c["default_config"] as? [String: Any],
                  let entry = OptimizerCatalog.entry(named: cls) else { continue }
            checked.insert(cls)
            XCTAssertEqual(entry.defaultLearningRate, (cfg["learning_rate"] as! NSNumber).floatValue, cls)
            XCTAssertEqual(entry.defaultWeightDecay, (cfg["weight_decay"] as? NSNumber)?.floatValue, cls)
            for (name, value) in entry.arguments {
                switch value {
                case let .number(d): XCTAssertEqual(d, (cfg[name] as? NSNumber)?.doubleValue, "\(cls).\(name)")
                case let .bool(b): XCTAssertEqual(b, cfg[name] as? Bool, "\(cls).\(name)")
                default: XCTFail("\(cls).\(name): unexpected default \(value)")
                }
            }
            XCTAssertEqual(OptimizerCatalog.entry(named: cls.lowercased())?.className, cls)
        }
        XCTAssertEqual(checked.count, OptimizerCatalog.all.count)
    }

    func testKerasValidationErrors() throws {
        XCTAssertThrowsError(try Optimizer.validated(Adam(), clipnorm: 1, clipvalue: 1)) { e in
            XCTAssertTrue("\(e)".contains("only one of `clipnorm`, `clipvalue` and `global_clipnorm`"), "\(e)")
        }
        XCTAssertThrowsError(try OptimizerCatalog.entry(named: "sgd")!.make([("momentum", .number(1.5))]))
        XCTAssertThrowsError(try OptimizerCatalog.entry(named: "lion")!.make([("beta_1", .number(0))]))
        XCTAssertThrowsError(try OptimizerCatalog.entry(named: "ftrl")!.make([("learning_rate_power", .number(0.5))]))
        XCTAssertThrowsError(try OptimizerCatalog.entry(named: "adam")!.make([("beta1", .number(0.5))])) { e in
            XCTAssertTrue("\(e)".contains("beta_1"), "\(e)")   // lists the known names
        }
        XCTAssertThrowsError(try OptimizerCatalog.entry(named: "adam")!.make([("amsgrad", .number(1))]))
        XCTAssertThrowsError(try Optimizer.validated(SGD(), gradientAccumulationSteps: 1))
        // AdamW's weight decay comes from its defaults; the learning rate from the rule's.
        let o = Optimizer(AdamW())
        XCTAssertEqual(o.weightDecay, 0.004)
        XCTAssertEqual(o.currentLearningRate, 0.001)
        XCTAssertEqual(Optimizer(try SGD()).currentLearningRate, 0.01)
    }

    /// A resumed Nadam (fresh rule, restored iterations and slots) continues exactly.
    func testNadamResumesFromIterations() throws {
        let c = try KerasReference.cases("optimizers").first { $0["name"] as? String == "nadam" }!
        let opt = try Self.optimizer(className: "Nadam", kwargs: [:])
        let p = Parameter(name: "v0", value: KerasReference.tensor((c["initial_variables"] as! [Any])[0])!)
        let gs = (c["gradients"] as! [[Any]]).map { KerasReference.tensor($0[0])! }
        for g in gs.prefix(2) { var gr = Gradients(); gr[p] = g; opt.apply(gr, to: [p]) }
        let resumed = Optimizer(Nadam())
        resumed.iterations = opt.iterations; resumed.slots = opt.slots
        var gr = Gradients(); gr[p] = gs[2]; resumed.apply(gr, to: [p])
        let want = KerasReference.tensor(((c["steps"] as! [[String: Any]])[2]["variables"] as! [Any])[0])!
        KerasReference.assertClose(p.value, want, tolerance: 2e-6, "resumed nadam")
    }

    /// Slots are updated in place: no copy of the state per step.
    func testSlotsUpdatedInPlace() throws {
        let opt = Optimizer(Adam())
        let p = Parameter(name: "w", value: Tensor(shape: [4], repeating: 1))
        var g = Gradients(); g[p] = Tensor(shape: [4], repeating: 0.5)
        opt.apply(g, to: [p])
        let before = opt.slots["w"]!.map(\.pointer)
        opt.apply(g, to: [p])
        XCTAssertEqual(opt.slots["w"]!.map(\.pointer), before)
        XCTAssertEqual(opt.iterations, 2)
    }
}

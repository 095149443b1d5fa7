import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Data for several inputs and outputs, mapped by name: IDX images and a CSV table as two
/// inputs, one IDX label file per output, CSV targets per output; fit logs name every
/// output's loss and metrics as Keras does.
final class MultiIODataTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("multiio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let n = 40
        var images: [UInt8] = [], meta = "a,b,c\n", cls: [UInt8] = [], reg: [Float] = [], table = "f1,f2,kind,size\n"
        for i in 0..<n {
            let on = i % 2 == 0
            images += (0..<4).map { UInt8(on ? 200 + $0 : 10 + $0) }
            meta += "\(Double(i) / 10),\(on ? 1 : 0),0.5\n"
            cls.append(on ? 1 : 0)
            reg.append(Float(i) / 40)
            table += "\(Double(i) / 10),\(on ? 1 : -1),\(on ? "even" : "odd"),\(Double(i) / 40)\n"
        }
        try idx(type: 0x08, dims: [n, 2, 2], payload: images).write(to: dir.appendingPathComponent("imgs.idx"))
        try meta.write(to: dir.appendingPathComponent("meta.csv"), atomically: true, encoding: .utf8)
        try idx(type: 0x08, dims: [n], payload: cls).write(to: dir.appendingPathComponent("cls.idx"))
        try idx(type: 0x0D, dims: [n], payload: reg.flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) })
            .write(to: dir.appendingPathComponent("reg.idx"))
        try table.write(to: dir.appendingPathComponent("table.csv"), atomically: true, encoding: .utf8)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func idx(type: UInt8, dims: [Int], payload: [UInt8]) -> Data {
        var d = Data([0, 0, type, UInt8(dims.count)])
        for v in dims { d.append(contentsOf: withUnsafeBytes(of: UInt32(v).bigEndian, Array.init)) }
        d.append(contentsOf: payload)
        return d
    }

    private func spec(_ data: String, inputs: String = "[Input: {name: image, shape: [2, 2]}, Input: {name: meta, shape: [3]}]",
                      layers: String? = nil) throws -> Spec {
        let graph = layers ?? """
                - Flatten: {name: flat, inputs: image}
                - Concatenate: {name: both, inputs: [flat, meta]}
                - Dense: {name: h, units: 8, activation: relu, inputs: both}
                - Dense: {name: cls, units: 2, activation: softmax, inputs: h}
                - Dense: {name: reg, units: 1, inputs: h}
            """
        return try Spec.parse(text: """
            seed: 1
            data:
            \(data)
            model:
              type: functional
              inputs: \(inputs)
              layers:
            \(graph)
              outputs: [cls, reg]
            compile:
              optimizer: adam
              loss: {cls: sparse_categorical_crossentropy, reg: mse}
              loss_weights: {cls: 1, reg: 0.5}
              metrics: {cls: [accuracy], reg: [mae]}
            fit: {epochs: 2, batch_size: 8, validation_split: 0.25}
            """, file: "\(dir.path)/s.yaml")
    }

    private func load(_ s: Spec) throws -> LoadedData {
        guard case let .functional(f) = s.model else { throw XCTSkip("not functional") }
        return try DataLoader.load(s, inputNames: f.inputs.compactMap(\.name), outputNames: f.outputs, needTrain: true, needTest: false)
    }

    private func loadError(_ s: Spec) -> String {
        do { _ = try load(s); return "no error" } catch { return "\(error)" }
    }

    func testIDXAndCSVInputsWithOneLabelFilePerOutputTrain() throws {
        let s = try spec("  train: {format: idx, x: {meta: meta.csv, image: imgs.idx}, y: {reg: reg.idx, cls: cls.idx}}")
        let data = try load(s)
        let train = try XCTUnwrap(data.train)
        XCTAssertEqual(train.inputs.map(\.exampleShape), [[2, 2], [3]], "inputs in the model's order, not the map's")
        XCTAssertEqual(train.targets.map(\.exampleShape), [[], []])
        XCTAssertEqual(train.count, 30)
        XCTAssertEqual(data.validation?.count, 10)
        XCTAssertEqual(train.targets[1].float(at: 1), 1.0 / 40, "reg.idx feeds output 'reg'")

        let model = try ModelBuilder.build(s)
        try CompileBuilder.compile(model, spec: s, requireLoss: true, targetShapes: train.targets.map(\.exampleShape))
        let history = try model.fit(data.dataset(train), validation: data.validation.map(data.dataset),
                                    options: FitOptions(epochs: 2, batchSize: 8, seed: 1))
        let keys = Set(history.logs.last?.keys ?? [])
        XCTAssertEqual(keys, ["loss", "cls_loss", "cls_accuracy", "reg_loss", "reg_mae",
                              "val_loss", "val_cls_loss", "val_cls_accuracy", "val_reg_loss", "val_reg_mae"])
    }

    func testCSVTargetsPerOutput() throws {
        let s = try spec("  train: {format: csv, path: table.csv, features: [f1, f2], target: {cls: kind, reg: size}}",
                         inputs: "[Input: {name: x, shape: [2]}]", layers: """
                - Dense: {name: h, units: 8, activation: relu, inputs: x}
                - Dense: {name: cls, units: 2, activation: softmax, inputs: h}
                - Dense: {name: reg, units: 1, inputs: h}
            """)
        let data = try load(s)
        let train = try XCTUnwrap(data.train)
        XCTAssertEqual(train.classNames[0], ["even", "odd"])
        XCTAssertNil(train.classNames[1])
        XCTAssertEqual(train.targets[0].float(at: 1), 1, "row 2 is odd")
        XCTAssertEqual(train.targets[1].float(at: 2), 2.0 / 40, accuracy: 1e-6)
        XCTAssertEqual(data.preprocessing.classNames?["cls"], ["even", "odd"], "class names kept by output name")
    }

    func testNamesAreCheckedWithSuggestions() throws {
        let oneInput = "[Input: {name: x, shape: [2]}]"
        let heads = """
                - Dense: {name: cls, units: 2, activation: softmax, inputs: x}
                - Dense: {name: reg, units: 1, inputs: x}
            """
        XCTAssertEqual(loadError(try spec("  train: {format: idx, x: {image: imgs.idx, mta: meta.csv}, y: {cls: cls.idx, reg: reg.idx}}")),
                       "\(dir.path)/s.yaml:3:50: data.train: 'mta' is not an input of the model; did you mean 'meta'?")
        XCTAssertEqual(loadError(try spec("  train: {format: idx, x: {image: imgs.idx, meta: meta.csv}, y: {cls: cls.idx}}")),
                       "\(dir.path)/s.yaml:3:65: data.train: no file for output 'reg' (outputs: cls, reg)")
        XCTAssertEqual(loadError(try spec("  train: {format: idx, x: {image: imgs.idx, meta: meta.csv}, y: cls.idx}")),
                       "\(dir.path)/s.yaml:3:65: data.train: the model has 2 outputs (cls, reg); give a map from output name to file")
        XCTAssertEqual(loadError(try spec("  train: {format: idx, x: {image: imgs.idx, meta: meta.csv}}")),
                       "\(dir.path)/s.yaml:3:10: data.train: no targets: add 'y' (a labels file, or a map from output name to file)")
        XCTAssertEqual(loadError(try spec("  train: {format: csv, path: table.csv, features: [f1, f2], target: {clss: kind, reg: size}}", inputs: oneInput, layers: heads)),
                       "\(dir.path)/s.yaml:3:76: data.train: target names 'clss', which is not an output of the model; did you mean 'cls'?")
        XCTAssertEqual(loadError(try spec("  train: {format: csv, path: table.csv, features: [f1, f2], target: kind}", inputs: oneInput, layers: heads)),
                       "\(dir.path)/s.yaml:3:69: data.train: the model has 2 outputs (cls, reg); give target as a map from output name to column(s)")
    }
}

import XCTest
@testable import KerasEngine

final class SummaryTests: XCTestCase {
    private func kerasText(_ name: String) throws -> String {
        let c = try KerasReference.cases("graph").first { $0["name"] as? String == name }
        return try XCTUnwrap(c?["text"] as? String, "fixture \(name)")
    }

    private func assertSameText(_ got: String, _ want: String, file: StaticString = #filePath, line: UInt = #line) {
        if got == want { return }
        let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(g.count, w.count) where (i < g.count ? g[i] : "<none>") != (i < w.count ? w[i] : "<none>") {
            XCTFail("line \(i + 1):\n  got:   \(i < g.count ? g[i] : "<none>")\n  keras: \(i < w.count ? w[i] : "<none>")", file: file, line: line)
            return
        }
    }

    func testSequentialMLPMatchesKeras() throws {
        let model = Sequential(layers: [
            Dense(units: 512, activation: .relu(), name: "dense"), Dropout(rate: 0.2, name: "dropout"),
            Dense(units: 512, activation: .relu(), name: "dense_1"), Dropout(rate: 0.2, name: "dropout_1"),
            Dense(units: 10, activation: .softmax(), name: "dense_2"),
        ])
        try model.build(inputShapes: [[784]], seed: 0)
        let text = model.summary()
        XCTAssertTrue(text.contains(" Total params: 669,706 (2.55 MB)\n"))
        assertSameText(text, try kerasText("sequential_mlp"))
    }

    func testSiameseFunctionalMatchesKeras() throws {
        let g = Functional(name: "siamese")
        let left = g.input("left", shape: [8]), right = g.input("right", shape: [8])
        let enc = Dense(units: 4, activation: .relu(), name: "enc")
        let l = enc(left), r = enc(right)
        let diff = Subtract(name: "diff")(l, r)
        let cat = Concatenate(name: "cat")(l, r, diff)
        g.setOutputs([Dense(units: 1, activation: .sigmoid, name: "score")(cat)])
        try g.build(seed: 0)
        assertSameText(g.summary(), try kerasText("functional_siamese"))
    }

    func testChainFunctionalPrintsLikeSequential() throws {
        let g = Functional(name: "chain")
        let x = g.input("features", shape: [16])
        g.setOutputs([Dense(units: 3, name: "logits")(Dense(units: 32, activation: .relu(), name: "hidden")(x))])
        try g.build(seed: 0)
        assertSameText(g.summary(), try kerasText("functional_chain"))
    }

    func testResidualTwoHeadsWithWrappingAndFrozenWeights() throws {
        let g = Functional(name: "residual_two_heads")
        let img = g.input("image", shape: [6, 6, 2])
        let a = Dense(units: 2, name: "a_rather_long_layer_name_for_wrapping_tests")(img)
        let f = Flatten(name: "flatten")(Add(name: "skip")(img, a))
        let frozen = Dense(units: 5, name: "frozen")
        g.setOutputs([Dense(units: 5, activation: .softmax(), name: "probs")(f), frozen(f)])
        try g.build(seed: 0)
        for p in frozen.parameters { p.trainable = false }
        assertSameText(g.summary(), try kerasText("functional_residual"))
    }

    func testTableWidthsFollowRich() {
        XCTAssertEqual(SummaryTable(header: ["a", "b", "c"], rightAligned: [false, false, true], positions: [0.45, 0.8, 1], lineLength: 76).widths, [31, 22, 13])
        XCTAssertEqual(SummaryTable(header: ["a", "b", "c", "d"], rightAligned: [false, false, true, false], positions: [0.3, 0.56, 0.74, 1], lineLength: 76).widths, [19, 17, 10, 17])
        XCTAssertEqual(SummaryTable.wrap("input_layer (InputLayer)", width: 19, right: false), ["input_layer        ", "(InputLayer)       "])
        XCTAssertEqual(memorySize(0), "0.00 B")
        XCTAssertEqual(memorySize(49), "196.00 B")
        XCTAssertEqual(grouped(1234567), "1,234,567")
    }
}

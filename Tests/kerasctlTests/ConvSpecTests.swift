import Foundation
import XCTest

/// The convolution specs from the command line: shape errors located in the spec,
/// `summary` of the CNN specs with Keras's totals.
final class ConvSpecTests: TempDirTestCase {

    func testConv2DOnFlatInputIsLocatedWithBothShapes() throws {
        let spec = dir.appendingPathComponent("flat.yaml")
        try """
        model:
          input_shape: [784]
          layers:
            - Dense: 32
            - Conv2D: {filters: 8, kernel_size: 3}
        """.write(to: spec, atomically: true, encoding: .utf8)
        for command in ["validate", "summary"] {
            let r = try CLI.run([command, spec.path])
            CLI.assertFails(r, code: 2, contains: "flat.yaml:5:7: model.layers[1] (Conv2D): Conv2D expects input of shape (None, height, width, channels), got (None, 32)")
        }
    }

    func testChannelsFirstIsAClearError() throws {
        let spec = dir.appendingPathComponent("cf.yaml")
        try "model:\n  input_shape: [1, 28, 28]\n  layers:\n    - MaxPooling2D: {data_format: channels_first}\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        CLI.assertFails(try CLI.run(["validate", spec.path]), code: 2,
                        contains: "cf.yaml:4:35: model.layers[0] (MaxPooling2D): data_format 'channels_first' is not supported")
    }

    func testCNNSpecSummariesHaveKerasTotals() throws {
        for (spec, total, frozen) in [("specs/bench_cnn.yaml", "34,826", "0"), ("specs/fashion_cnn.yaml", "824,746", "192")] {
            let r = try CLI.run(["summary", spec])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains(" Total params: \(total) "), r.stdout)
            XCTAssertTrue(r.stdout.contains(" Non-trainable params: \(frozen) "), r.stdout)
        }
    }
}

import Foundation
import KerasEngine
import KerasSpec
import XCTest
@testable import KerasBuilder

/// Recurrent layers, their wrappers, Embedding and Masking from YAML: Keras defaults,
/// every flag, located errors, and whole models against real Keras
/// (Fixtures/recurrent_models.json, made by gen_recurrent_models.py).
final class RecurrentBuilderTests: XCTestCase {
    func layer(_ yaml: String, input: String = "[5, 3]") throws -> any Layer { try OneLayerSpec.layer(yaml, input: input) }

    func model(_ yaml: String) throws -> Model { try OneLayerSpec.model(yaml) }

    /// Asserts that building `yaml` (one layer on input [5, 3]) fails with exactly `message`.
    func assertError(_ yaml: String, _ message: String, input: String = "[5, 3]", file: StaticString = #filePath, line: UInt = #line) {
        OneLayerSpec.assertError(yaml, message, input: input, file: file, line: line)
    }

    func testDefaultsAreKeras() throws {
        let lstm = try XCTUnwrap(try layer("LSTM: 8") as? LSTM).config
        XCTAssertEqual(lstm.units, 8)
        XCTAssertEqual(lstm.activation, .tanh)
        XCTAssertEqual(lstm.recurrentActivation, .sigmoid)
        XCTAssertTrue(lstm.useBias && lstm.unitForgetBias)
        XCTAssertEqual(lstm.kernelInitializer, .glorotUniform)
        XCTAssertEqual(lstm.recurrentInitializer, .orthogonal())
        XCTAssertEqual(lstm.biasInitializer, .zeros)
        XCTAssertNil(lstm.kernelRegularizer)
        XCTAssertEqual(lstm.dropout, 0)
        XCTAssertEqual(lstm.recurrentDropout, 0)
        XCTAssertNil(lstm.seed)
        XCTAssertFalse(lstm.returnSequences || lstm.returnState || lstm.goBackwards)

        let gru = try XCTUnwrap(try layer("GRU: {units: 4}") as? GRU).config
        XCTAssertTrue(gru.resetAfter)
        XCTAssertEqual(gru.recurrentActivation, .sigmoid)
        let rnn = try XCTUnwrap(try layer("SimpleRNN: 3") as? SimpleRNN).config
        XCTAssertEqual(rnn.activation, .tanh)
        XCTAssertTrue(rnn.useBias)

        let emb = try XCTUnwrap(try layer("Embedding: {input_dim: 10, output_dim: 4}", input: "[5]") as? Embedding).config
        XCTAssertEqual(emb.embeddingsInitializer, .randomUniform(minval: -0.05, maxval: 0.05))   // Keras's "uniform"
        XCTAssertFalse(emb.maskZero)
        XCTAssertEqual(try XCTUnwrap(try layer("Masking") as? Masking).config.maskValue, 0)

        let bi = try XCTUnwrap(try layer("Bidirectional: {layer: {LSTM: 4}}") as? Bidirectional)
        XCTAssertEqual(bi.mergeMode, .concat)
        XCTAssertTrue(bi.backwardLayer.goBackwards && !bi.forwardLayer.goBackwards)
        XCTAssertTrue(bi.backwardLayer is LSTM)
    }

    func testEveryFlagIsRead() throws {
        let lstm = try XCTUnwrap(try layer("""
        LSTM: {units: 6, activation: relu, recurrent_activation: hard_sigmoid, use_bias: false, kernel_initializer: he_normal, \
        recurrent_initializer: {Orthogonal: {gain: 2}}, bias_initializer: ones, unit_forget_bias: false, kernel_regularizer: {l2: 0.01}, \
        recurrent_regularizer: l1, bias_regularizer: {L1L2: {l1: 0.1}}, activity_regularizer: l2, dropout: 0.25, recurrent_dropout: 0.5, \
        seed: 7, return_sequences: true, return_state: true, go_backwards: true, stateful: false, unroll: true, use_cudnn: auto}
        """) as? LSTM).config
        XCTAssertEqual(lstm.activation, .relu())
        XCTAssertEqual(lstm.recurrentActivation, .hardSigmoid)
        XCTAssertFalse(lstm.useBias || lstm.unitForgetBias)
        XCTAssertEqual(lstm.kernelInitializer, .heNormal)
        XCTAssertEqual(lstm.recurrentInitializer, .orthogonal(gain: 2))
        XCTAssertEqual(lstm.biasInitializer, .ones)
        XCTAssertNotNil(lstm.kernelRegularizer); XCTAssertNotNil(lstm.recurrentRegularizer)
        XCTAssertNotNil(lstm.biasRegularizer); XCTAssertNotNil(lstm.activityRegularizer)
        XCTAssertEqual(lstm.dropout, 0.25)
        XCTAssertEqual(lstm.recurrentDropout, 0.5)
        XCTAssertEqual(lstm.seed, 7)
        XCTAssertTrue(lstm.returnSequences && lstm.returnState && lstm.goBackwards)

        let gru = try XCTUnwrap(try layer("GRU: {units: 4, reset_after: false, activation: null, recurrent_activation: null, use_cudnn: false}") as? GRU).config
        XCTAssertFalse(gru.resetAfter)
        XCTAssertEqual(gru.activation, .linear)   // Keras: None means linear
        XCTAssertEqual(gru.recurrentActivation, .linear)
        let rnn = try XCTUnwrap(try layer("SimpleRNN: {units: 3, activation: sigmoid, dropout: 0.1, go_backwards: true}") as? SimpleRNN).config
        XCTAssertEqual(rnn.activation, .sigmoid)
        XCTAssertEqual(rnn.dropout, 0.1)
        XCTAssertTrue(rnn.goBackwards)

        let emb = try XCTUnwrap(try layer("""
        Embedding: {input_dim: 10, output_dim: 4, embeddings_initializer: normal, embeddings_regularizer: {l2: 0.001}, \
        activity_regularizer: l1, mask_zero: true}
        """, input: "[5]") as? Embedding).config
        XCTAssertEqual(emb.embeddingsInitializer, .randomNormal(mean: 0, stddev: 0.05))
        XCTAssertNotNil(emb.embeddingsRegularizer); XCTAssertNotNil(emb.activityRegularizer)
        XCTAssertTrue(emb.maskZero)
        XCTAssertEqual(try XCTUnwrap(try layer("Masking: {mask_value: -1}") as? Masking).config.maskValue, -1)
        XCTAssertEqual(try XCTUnwrap(try layer("Masking: 2.5") as? Masking).config.maskValue, 2.5)

        for (mode, expected) in [("sum", Bidirectional.MergeMode.sum), ("mul", .mul), ("ave", .ave), ("null", .none), ("concat", .concat)] {
            let bi = try XCTUnwrap(try layer("Bidirectional: {layer: {GRU: 4}, merge_mode: \(mode)}") as? Bidirectional)
            XCTAssertEqual(bi.mergeMode, expected, mode)
        }
        let bi = try XCTUnwrap(try layer("""
        Bidirectional: {layer: {LSTM: {units: 4, name: enc}}, backward_layer: {GRU: {units: 4, go_backwards: true, name: back}}}
        """) as? Bidirectional)
        XCTAssertTrue(bi.backwardLayer is GRU)
        XCTAssertEqual(bi.forwardLayer.name, "forward_enc")
        XCTAssertEqual(bi.backwardLayer.name, "back")
        let td = try XCTUnwrap(try layer("TimeDistributed: {layer: {Dense: {units: 3, activation: relu}}}") as? TimeDistributed)
        XCTAssertEqual((td.layer as? Dense)?.config.units, 3)
        XCTAssertTrue(try layer("TimeDistributed: Flatten", input: "[5, 2, 2]") is TimeDistributed)
    }

    /// Whole models: parameter counts, output shapes and layer names equal Keras's.
    func testModelsMatchKeras() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/recurrent_models.json")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        var checked = 0
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let m = try model(try XCTUnwrap(c["yaml"] as? String))
            XCTAssertEqual(m.parameterCount, c["total"] as? Int, name)
            let layers = try XCTUnwrap(c["layers"] as? [[String: Any]])
            XCTAssertEqual(m.layers.count, layers.count, name)
            let shapes = m as? any LayerShapeReporting
            for (l, k) in zip(m.layers, layers) {
                XCTAssertEqual(l.name, k["name"] as? String, name)
                XCTAssertEqual(l.typeName, k["class_name"] as? String, name)
                XCTAssertEqual(l.parameterCount, k["params"] as? Int, "\(name) \(l.name)")
                XCTAssertEqual(shapes?.outputShapes(of: l)?.first, k["output_shape"] as? [Int], "\(name) \(l.name)")
            }
            checked += 1
        }
        XCTAssertEqual(checked, 10)
        // The figures the issue names: LSTM(128) on [28, 28] + Dense(10) is 81,674.
        XCTAssertEqual(cases.first { $0["name"] as? String == "bench_lstm" }?["total"] as? Int, 81_674)
    }

    /// Wrapped layers take model-unique names, so weight names never collide.
    func testWrappedLayerWeightNamesAreUnique() throws {
        let m = try model("""
        model:
          input_shape: [6, 4]
          layers:
            - Bidirectional: {layer: {LSTM: {units: 3, return_sequences: true}}}
            - Bidirectional: {layer: {LSTM: {units: 3, return_sequences: true}}}
            - TimeDistributed: {layer: {Dense: 2}}
            - LSTM: 2
            - Dense: 1
        """)
        let names = m.parameters.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "\(names)")
        XCTAssertTrue(names.contains("forward_lstm/lstm_cell/kernel"), "\(names)")
        XCTAssertTrue(names.contains("backward_lstm_1/lstm_cell/kernel"), "\(names)")
        XCTAssertTrue(names.contains("dense/kernel") && names.contains("dense_1/kernel") && names.contains("lstm_2/lstm_cell/kernel"), "\(names)")
    }

    func testBadArgumentsAreLocated() {
        assertError("LSTM: {units: 0}", "t.yaml:4:21: model.layers[0] (LSTM): units must be a positive integer, got 0")
        assertError("GRU: {unts: 4}", "t.yaml:4:13: model.layers[0] (GRU): unknown argument 'unts' for GRU; did you mean 'units'?")
        assertError("LSTM: {units: 4, reset_after: false}",
                    "t.yaml:4:24: model.layers[0] (LSTM): unknown argument 'reset_after' for LSTM (expected one of: units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll, unit_forget_bias, use_cudnn)")
        assertError("SimpleRNN: {units: 4, recurrent_activation: relu}",
                    "t.yaml:4:29: model.layers[0] (SimpleRNN): unknown argument 'recurrent_activation' for SimpleRNN (expected one of: units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards, stateful, unroll)")
        assertError("LSTM: {units: 4, stateful: true}",
                    "t.yaml:4:34: model.layers[0] (LSTM): stateful: true is not supported (kerasctl does not carry states between batches); remove it or set false")
        assertError("GRU: {units: 4, dropout: 1.5}", "t.yaml:4:32: model.layers[0] (GRU): dropout must be a number in [0, 1], got 1.5")
        assertError("LSTM: {units: 4, activation: gelu}",
                    "t.yaml:4:36: model.layers[0] (LSTM): activation 'gelu' is not supported in recurrent layers (their derivative must follow from the output: not gelu, silu, mish, hard_silu, softmax or log_softmax)")
        assertError("LSTM: {units: 4, use_cudnn: true}",
                    "t.yaml:4:35: model.layers[0] (LSTM): use_cudnn: true needs a GPU; kerasctl runs on the CPU (use 'auto' or false)")
        assertError("Bidirectional: {layer: {Dense: 3}}",
                    "t.yaml:4:31: model.layers[0].layer (Dense): Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU), got Dense")
        assertError("Bidirectional: {layer: {LSTM: {units: 3, unts: 2}}}",
                    "t.yaml:4:48: model.layers[0].layer (LSTM): unknown argument 'unts' for LSTM; did you mean 'units'?")
        assertError("Bidirectional: {layer: {LSTM: 3}, merge_mode: concatenate}",
                    "t.yaml:4:53: model.layers[0] (Bidirectional): merge_mode must be one of 'concat', 'sum', 'mul', 'ave', got 'concatenate'")
        assertError("Bidirectional: {layer: {LSTM: 3}, backward_layer: {LSTM: 3}}",
                    "t.yaml:4:7: model.layers[0] (Bidirectional): bidirectional: forward and backward layers must have different go_backwards, both have false")
        assertError("TimeDistributed: {layer: {LSTM: 3}}",
                    "t.yaml:4:33: model.layers[0].layer (LSTM): TimeDistributed wraps a layer with one input and one output (such as Dense, Dropout, Activation), got LSTM")
        assertError("TimeDistributed: {Dense: 3}",
                    "t.yaml:4:32: model.layers[0] (TimeDistributed): the wrapped layer goes under 'layer': write layer: {Dense: ...}")
        assertError("Embedding: {input_dim: 10}", "t.yaml:4:7: model.layers[0] (Embedding): missing required argument 'output_dim' for Embedding", input: "[5]")
        assertError("Embedding: {input_dim: 10, output_dim: 4, input_length: 5}",
                    "t.yaml:4:63: model.layers[0] (Embedding): input_length was removed in Keras 3; give the sequence length in the model's input_shape instead", input: "[5]")
        // Shape errors of a wrapped layer are reported at the wrapper.
        assertError("Bidirectional: {layer: {LSTM: 3}}",
                    "t.yaml:4:7: model.layers[0] (Bidirectional): expected input of shape (None, timesteps, features), got (None, 5)", input: "[5]")
        assertError("LSTM: 3", "t.yaml:4:7: model.layers[0] (LSTM): expected input of shape (None, timesteps, features), got (None, 5)", input: "[5]")
    }

    /// A functional model threads Keras masks as a sequential one does: Embedding(mask_zero)
    /// → LSTM gives the same outputs either way (and not those of the unmasked model).
    func testFunctionalModelsThreadMasks() throws {
        let layers = """
            - Embedding: {name: emb, input_dim: 9, output_dim: 4, mask_zero: true, inputs: ids}
            - LSTM: {name: rnn, units: 3, inputs: emb}
            - Dense: {name: out, units: 2, inputs: rnn}
        """
        let functional = try model("model:\n  type: functional\n  inputs:\n    - Input: {name: ids, shape: [5]}\n  layers:\n\(layers)\n  outputs: [out]\n")
        let sequential = try model("model:\n  input_shape: [5]\n  layers:\n" + layers.replacingOccurrences(of: ", inputs: ids", with: "")
            .replacingOccurrences(of: ", inputs: emb", with: "").replacingOccurrences(of: ", inputs: rnn", with: "") + "\n")
        XCTAssertEqual(functional.parameters.map(\.value.scalars), sequential.parameters.map(\.value.scalars))
        let padded = Tensor(shape: [2, 5], data: [3, 1, 4, 0, 0, 2, 7, 0, 0, 0])
        let f = functional.call([padded], training: false)[0].scalars
        let q = sequential.call([padded], training: false)[0].scalars
        XCTAssertEqual(f.count, 4)
        for (a, b) in zip(f, q) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // Without the mask the zeros would be read as word 0 and change the outputs.
        let noMask = try model("model:\n  input_shape: [5]\n  layers:\n" + layers.replacingOccurrences(of: "mask_zero: true", with: "mask_zero: false")
            .replacingOccurrences(of: ", inputs: ids", with: "").replacingOccurrences(of: ", inputs: emb", with: "")
            .replacingOccurrences(of: ", inputs: rnn", with: "") + "\n")
        let n = noMask.call([padded], training: false)[0].scalars
        XCTAssertGreaterThan(zip(f, n).map { abs($0 - $1) }.max() ?? 0, 1e-4)
    }
}

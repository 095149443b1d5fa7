#!/usr/bin/env python3
"""Parameter counts, output shapes and layer names of recurrent models, from real Keras.

Each case pairs a kerasctl YAML model with the same model built in Keras 3; the builder
test (RecurrentBuilderTests) builds the YAML and compares with these figures.
Run: KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_recurrent_models.py > recurrent_models.json
"""
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
from keras import layers as L

CASES = [
    ("bench_lstm", "input_shape: [28, 28]\n  layers:\n    - LSTM: 128\n    - Dense: {units: 10, activation: softmax}",
     lambda: [keras.Input((28, 28)), L.LSTM(128), L.Dense(10, activation="softmax")]),
    ("gru_reset_after", "input_shape: [28, 28]\n  layers:\n    - GRU: 64\n    - Dense: 10",
     lambda: [keras.Input((28, 28)), L.GRU(64), L.Dense(10)]),
    ("gru_reset_before", "input_shape: [28, 28]\n  layers:\n    - GRU: {units: 64, reset_after: false}\n    - Dense: 10",
     lambda: [keras.Input((28, 28)), L.GRU(64, reset_after=False), L.Dense(10)]),
    ("simple_rnn_flags", "input_shape: [10, 10]\n  layers:\n    - SimpleRNN: {units: 32, activation: relu, use_bias: false, return_sequences: true, go_backwards: true, dropout: 0.1, recurrent_dropout: 0.2, seed: 3, unroll: true}\n    - SimpleRNN: 8",
     lambda: [keras.Input((10, 10)), L.SimpleRNN(32, activation="relu", use_bias=False, return_sequences=True, go_backwards=True,
                                                 dropout=0.1, recurrent_dropout=0.2, seed=3, unroll=True), L.SimpleRNN(8)]),
    ("lstm_flags", "input_shape: [7, 5]\n  layers:\n    - LSTM: {units: 12, use_bias: false, unit_forget_bias: false, recurrent_activation: hard_sigmoid, kernel_regularizer: {l2: 0.01}, return_sequences: true}\n    - LSTM: {units: 6, kernel_initializer: he_normal, recurrent_initializer: glorot_uniform, bias_initializer: ones}",
     lambda: [keras.Input((7, 5)), L.LSTM(12, use_bias=False, unit_forget_bias=False, recurrent_activation="hard_sigmoid",
                                           kernel_regularizer=keras.regularizers.L2(0.01), return_sequences=True),
              L.LSTM(6, kernel_initializer="he_normal", recurrent_initializer="glorot_uniform", bias_initializer="ones")]),
    ("embedding_bidirectional_lstm", "input_shape: [20]\n  layers:\n    - Embedding: {input_dim: 1000, output_dim: 32}\n    - Bidirectional: {layer: {LSTM: 16}}\n    - Dense: {units: 1, activation: sigmoid}",
     lambda: [keras.Input((20,)), L.Embedding(1000, 32), L.Bidirectional(L.LSTM(16)), L.Dense(1, activation="sigmoid")]),
    ("wrappers", "input_shape: [28, 28]\n  layers:\n    - Bidirectional: {layer: {LSTM: {units: 16, return_sequences: true}}}\n    - Bidirectional: {layer: {GRU: {units: 8, return_sequences: true}}, merge_mode: sum}\n    - TimeDistributed: {layer: {Dense: 10}}\n    - TimeDistributed: {layer: {Dense: 3}}\n    - Masking: 0\n    - SimpleRNN: {units: 4, activation: null}\n    - Dense: 10",
     lambda: [keras.Input((28, 28)), L.Bidirectional(L.LSTM(16, return_sequences=True)),
              L.Bidirectional(L.GRU(8, return_sequences=True), merge_mode="sum"), L.TimeDistributed(L.Dense(10)),
              L.TimeDistributed(L.Dense(3)), L.Masking(0.0), L.SimpleRNN(4, activation=None), L.Dense(10)]),
    ("bidirectional_backward_layer", "input_shape: [6, 4]\n  layers:\n    - Bidirectional: {layer: {LSTM: {units: 5, return_sequences: true}}, backward_layer: {LSTM: {units: 5, return_sequences: true, go_backwards: true}}, merge_mode: ave}\n    - Bidirectional: {layer: {GRU: {units: 3, reset_after: false}}, merge_mode: mul}",
     lambda: [keras.Input((6, 4)), L.Bidirectional(L.LSTM(5, return_sequences=True),
                                                    backward_layer=L.LSTM(5, return_sequences=True, go_backwards=True), merge_mode="ave"),
              L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="mul")]),
    ("seq_embedding", "input_shape: [24]\n  layers:\n    - Embedding: {input_dim: 32, output_dim: 16, mask_zero: true}\n    - GRU: 32\n    - Dense: {units: 2, activation: softmax}",
     lambda: [keras.Input((24,)), L.Embedding(32, 16, mask_zero=True), L.GRU(32), L.Dense(2, activation="softmax")]),
    ("timeseries_gru", "input_shape: [24, 1]\n  layers:\n    - GRU: 32\n    - Dense: 1",
     lambda: [keras.Input((24, 1)), L.GRU(32), L.Dense(1)]),
]


def main():
    out = []
    for name, yaml, build in CASES:
        keras.backend.clear_session()
        m = keras.Sequential(build())
        out.append({"name": name, "yaml": "model:\n  " + yaml + "\n", "total": m.count_params(),
                    "layers": [{"name": l.name, "class_name": l.__class__.__name__, "params": l.count_params(),
                                "output_shape": list(l.output.shape[1:])} for l in m.layers]})
    print(json.dumps({"keras_version": keras.__version__, "cases": out}, indent=1))


if __name__ == "__main__":
    main()

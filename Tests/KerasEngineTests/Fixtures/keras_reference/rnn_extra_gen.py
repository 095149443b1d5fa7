#!/usr/bin/env python3
"""Keras 3 recurrent cases missing from layers_rnn.json: use_bias=False, other activations,
Masking (float padding) into SimpleRNN/LSTM/GRU/Bidirectional (sequences, go_backwards,
return_state), Bidirectional merge_mode=None and return_state; plus parameter counts.
Writes rnn_extra.json (same schema as layers_rnn.json; param_count on every case)."""
from _common import case_rng, counted_cases, fixed, keras, write

Ly = keras.layers
X = fixed(case_rng("input:rnn_extra"), (3, 6, 3), 1.0)
# Padded float input: all-zero feature rows are masked by Masking(0.0).
XP = X.copy()
XP[0, 4:, :] = 0.0      # post-padded
XP[1, :2, :] = 0.0      # pre-padded
XP[2, 2:4, :] = 0.0     # a hole in the middle


def masked(*layers):
    return lambda: keras.Sequential([Ly.Masking(0.0)] + list(layers))


SPECS = [
    ("simplernn_no_bias", lambda: Ly.SimpleRNN(4, use_bias=False, return_sequences=True), X),
    ("lstm_no_bias", lambda: Ly.LSTM(4, use_bias=False, return_sequences=True), X),
    ("gru_no_bias", lambda: Ly.GRU(4, use_bias=False, return_sequences=True), X),
    ("gru_reset_after_false_no_bias", lambda: Ly.GRU(4, use_bias=False, reset_after=False), X),
    ("simplernn_relu", lambda: Ly.SimpleRNN(4, activation="relu", return_sequences=True), X),
    ("lstm_relu_hard_sigmoid", lambda: Ly.LSTM(4, activation="relu", recurrent_activation="hard_sigmoid",
                                               return_sequences=True), X),
    ("gru_softsign_sigmoid", lambda: Ly.GRU(4, activation="softsign", return_sequences=True), X),
    ("masking_only", masked(), XP),
    ("masking_simplernn_sequences", masked(Ly.SimpleRNN(4, return_sequences=True)), XP),
    ("masking_lstm_sequences_state", masked(Ly.LSTM(4, return_sequences=True, return_state=True)), XP),
    ("masking_lstm_go_backwards_sequences", masked(Ly.LSTM(4, go_backwards=True, return_sequences=True)), XP),
    ("masking_gru_reset_after_false", masked(Ly.GRU(4, reset_after=False)), XP),
    ("masking_gru_sequences", masked(Ly.GRU(4, return_sequences=True)), XP),
    ("masking_bidirectional_lstm_sequences", masked(Ly.Bidirectional(Ly.LSTM(4, return_sequences=True))), XP),
    ("masking_bidirectional_gru_sum", masked(Ly.Bidirectional(Ly.GRU(4), merge_mode="sum")), XP),
    ("masking_lstm_dense", masked(Ly.LSTM(4, return_sequences=True), Ly.Dense(2)), XP),
    ("bidirectional_lstm_return_state", lambda: Ly.Bidirectional(Ly.LSTM(4, return_state=True)), X),
    ("bidirectional_gru_none_sequences", lambda: Ly.Bidirectional(Ly.GRU(4, return_sequences=True), merge_mode=None), X),
    ("bidirectional_simplernn_ave_sequences", lambda: Ly.Bidirectional(Ly.SimpleRNN(4, return_sequences=True),
                                                                     merge_mode="ave"), X),
    ("time_distributed_dense_relu", lambda: Ly.TimeDistributed(Ly.Dense(3, activation="relu")), X),
]

cases = counted_cases(SPECS)

counts = []
for name, make, shape in [
    ("LSTM(128) on 28x28", lambda: Ly.LSTM(128), (None, 28, 28)),
    ("GRU(64) on 28x28", lambda: Ly.GRU(64), (None, 28, 28)),
    ("GRU(64, reset_after=False) on 28x28", lambda: Ly.GRU(64, reset_after=False), (None, 28, 28)),
    ("SimpleRNN(32) on 10x10", lambda: Ly.SimpleRNN(32), (None, 10, 10)),
    ("Bidirectional(LSTM(16)) on 7x8", lambda: Ly.Bidirectional(Ly.LSTM(16)), (None, 7, 8)),
    ("Embedding(1000, 64)", lambda: Ly.Embedding(1000, 64), (None, 12)),
]:
    layer = make()
    layer.build(shape)
    counts.append({"name": name, "param_count": int(layer.count_params())})

write("rnn_extra", cases, param_counts=counts,
      note="Same schema as layers_rnn.json plus param_count per case and a top-level param_counts list. "
           "Masking cases: Sequential([Masking(0.0), ...]) on input whose all-zero feature rows are padding.")

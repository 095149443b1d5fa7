#!/usr/bin/env python3
"""Keras 3 recurrent layers at a width and batch that exercise kerasctl's fast paths:
12 units (one full eight-lane block plus a tail of four in the fused gate loops) and a
batch of 20 (the time loops run on two slices of rows in parallel). Masked, reversed,
state-returning and bidirectional cases included. Writes rnn_wide.json (schema of
layers_rnn.json, param_count on every case)."""
from _common import case_rng, counted_cases, fixed, keras, write

Ly = keras.layers
X = fixed(case_rng("input:rnn_wide"), (20, 6, 5), 1.0)
XP = X.copy()
for i in range(0, 20, 3):
    XP[i, 6 - 1 - i % 4:, :] = 0.0   # post-padding of varying length
XP[1, :2, :] = 0.0                  # pre-padding
XP[4, 2:4, :] = 0.0                 # a hole


def masked(*layers):
    return lambda: keras.Sequential([Ly.Masking(0.0)] + list(layers))


SPECS = [
    ("wide_lstm_sequences", lambda: Ly.LSTM(12, return_sequences=True), X),
    ("wide_lstm_state_go_backwards", lambda: Ly.LSTM(12, return_state=True, go_backwards=True), X),
    ("wide_lstm_masked_sequences", masked(Ly.LSTM(12, return_sequences=True, return_state=True)), XP),
    ("wide_lstm_hard_sigmoid_relu", lambda: Ly.LSTM(12, activation="relu", recurrent_activation="hard_sigmoid"), X),
    ("wide_gru_sequences", lambda: Ly.GRU(12, return_sequences=True), X),
    ("wide_gru_reset_after_false_masked", masked(Ly.GRU(12, reset_after=False, return_sequences=True)), XP),
    ("wide_simplernn_sequences", lambda: Ly.SimpleRNN(12, return_sequences=True), X),
    ("wide_bidirectional_lstm_masked", masked(Ly.Bidirectional(Ly.LSTM(12, return_sequences=True))), XP),
]

cases = counted_cases(SPECS)

write("rnn_wide", cases,
      note="Same schema as layers_rnn.json plus param_count per case. Masking cases: "
           "Sequential([Masking(0.0), ...]) on input whose all-zero feature rows are padding.")

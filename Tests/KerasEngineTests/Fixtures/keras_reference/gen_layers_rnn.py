#!/usr/bin/env python3
"""Keras 3 recurrent layers (batch 2, 5 steps, 3 features, 4 units): fixed weights, outputs, grads."""
from _common import case_rng, fixed, layer_case, np, keras, write

Ly = keras.layers
X = fixed(case_rng("input:rnn"), (2, 5, 3), 1.0)
# token ids; 0 = padding. row 0 post-padded, row 1 pre-padded
TOKENS = np.array([[3, 1, 4, 0, 0], [0, 0, 2, 5, 1]], dtype=np.int32)

SPECS = []
for cls_name, extra_variants in [("SimpleRNN", [{}]), ("LSTM", [{}]),
                                 ("GRU", [{"reset_after": True}, {"reset_after": False}])]:
    for ev in extra_variants:
        tag = cls_name.lower() + ("" if not ev else "_reset_after_" + str(ev["reset_after"]).lower())
        for vname, vkw in [("last", {}), ("sequences", {"return_sequences": True}),
                           ("go_backwards", {"go_backwards": True}),
                           ("go_backwards_sequences", {"go_backwards": True, "return_sequences": True}),
                           ("return_state", {"return_state": True}),
                           ("sequences_return_state", {"return_sequences": True, "return_state": True})]:
            kw = dict(ev, **vkw)
            SPECS.append((f"{tag}_{vname}",
                          (lambda c=cls_name, k=kw: getattr(Ly, c)(4, **k)), X))

for mode in ["concat", "sum", "mul", "ave"]:
    SPECS.append((f"bidirectional_lstm_{mode}",
                  (lambda m=mode: Ly.Bidirectional(Ly.LSTM(4), merge_mode=m)), X))
SPECS.append(("bidirectional_lstm_concat_sequences",
              lambda: Ly.Bidirectional(Ly.LSTM(4, return_sequences=True)), X))
SPECS.append(("bidirectional_gru_concat", lambda: Ly.Bidirectional(Ly.GRU(4)), X))

SPECS.append(("embedding", lambda: Ly.Embedding(6, 3), TOKENS))
SPECS.append(("embedding_mask_zero_lstm", lambda: keras.Sequential(
    [Ly.Embedding(6, 3, mask_zero=True), Ly.LSTM(4)]), TOKENS))
SPECS.append(("embedding_mask_zero_lstm_sequences", lambda: keras.Sequential(
    [Ly.Embedding(6, 3, mask_zero=True), Ly.LSTM(4, return_sequences=True)]), TOKENS))
SPECS.append(("embedding_mask_zero_gru", lambda: keras.Sequential(
    [Ly.Embedding(6, 3, mask_zero=True), Ly.GRU(4)]), TOKENS))
SPECS.append(("embedding_no_mask_lstm", lambda: keras.Sequential(
    [Ly.Embedding(6, 3), Ly.LSTM(4)]), TOKENS))
SPECS.append(("time_distributed_dense", lambda: Ly.TimeDistributed(Ly.Dense(4)), X))
SPECS.append(("dense_on_3d_input", lambda: Ly.Dense(4), X))

cases = []
for name, make, x in SPECS:
    layer = make()
    cases.append(layer_case(name, layer, x))

write("layers_rnn", cases,
      note="Same schema as layers_conv. Inputs (batch, time, features). For Sequential cases "
           "(embedding_mask_zero_*) weight names are '<layer>/<weight>'. LSTM kernel gate order "
           "i,f,c,o; GRU z,r,h. Token 0 is padding when mask_zero=True.")

"""Functional models saved by real Keras 3 in which Keras masks flow from
Embedding(mask_zero) / keras_hub's TokenAndPositionEmbedding(mask_zero) through the
attention layers and merges into GlobalAveragePooling1D:

- mask_mha: self-attention on a masked embedding (fused path), cross attention with the
  query's, value's and key's masks and returned scores (explicit-softmax path), causal
  attention with dropout; the raw attention outputs are outputs too.
- mask_encoder: TokenAndPositionEmbedding(mask_zero) -> keras_hub TransformerEncoder
  (post-norm) -> TransformerEncoder (normalize_first) -> GlobalAveragePooling1D.
- mask_merges: Add / Subtract / Concatenate on masked and unmasked tensors,
  LayerNormalization, Dropout and Dense passing masks on, GlobalMaxPooling1D ignoring them.
- gqa_model: GroupQueryAttention, causal self-attention on a masked embedding, then cross
  attention with a key, an attention_mask, dropout, no bias and returned scores.
- axes_model: MultiHeadAttention over attention_axes [2] (scores returned) and (1,) on
  rank-4 inputs.
- score_attention: Attention (dot, scaled, concat) and AdditiveAttention, called on lists,
  with masks, a key, use_causal_mask and return_attention_scores.

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_attention_masks.py

Writes NAME.keras, NAME.h5, NAME.json, NAME.weights.h5 and NAME.io.json as
gen_graph_models.py does. Token ids are float inputs (as kerasctl reads numeric data)
with trailing zeros (padding), every sequence at least one token long; the weights are
perturbed at random away from their initial values.
"""
import os
import sys
import warnings

import numpy as np
import keras
import keras_hub
from keras import layers

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras_models"))
from gen_keras_models import save  # noqa: E402  (the shared save steps)

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(16)
rng = np.random.default_rng(16)
VOCAB = 20


def ids(name, steps):
    return keras.Input((steps,), name=name)


def mask_mha():
    q_ids, v_ids = ids("q_ids", 6), ids("v_ids", 5)
    x = keras.Input((5, 7), name="key_features")
    eq = layers.Embedding(VOCAB, 8, mask_zero=True, name="q_embed")(q_ids)
    ev = layers.Embedding(VOCAB, 6, mask_zero=True, name="v_embed")(v_ids)
    ek = layers.Masking(mask_value=0.0, name="k_mask")(x)
    a = layers.MultiHeadAttention(2, 4, name="self")(eq, eq)
    h = layers.LayerNormalization(name="norm")(layers.Add(name="res")([eq, a]))
    c, scores = layers.MultiHeadAttention(3, 2, value_dim=3, name="cross")(h, ev, key=ek, return_attention_scores=True)
    d = layers.MultiHeadAttention(2, 3, dropout=0.3, name="causal")(c, c, use_causal_mask=True)
    pooled = layers.GlobalAveragePooling1D(name="pool")(d)
    y = layers.Dense(3, name="out")(pooled)
    return keras.Model([q_ids, v_ids, x], [y, a, c, scores], name="mask_mha")


def mask_encoder():
    t = ids("tokens", 7)
    h = keras_hub.layers.TokenAndPositionEmbedding(VOCAB, 7, 8, mask_zero=True, name="embed")(t)
    h = keras_hub.layers.TransformerEncoder(16, 2, name="enc1")(h)
    h = keras_hub.layers.TransformerEncoder(12, 4, normalize_first=True, name="enc2")(h)
    y = layers.Dense(3, name="out")(layers.GlobalAveragePooling1D(name="pool")(h))
    return keras.Model(t, [y, h], name="mask_encoder")


def mask_merges():
    a_ids, b_ids = ids("a_ids", 5), ids("b_ids", 5)
    x = keras.Input((5, 4), name="x")
    ea = layers.Embedding(VOCAB, 4, mask_zero=True, name="a_embed")(a_ids)
    eb = layers.Embedding(VOCAB, 4, mask_zero=True, name="b_embed")(b_ids)
    pools = [
        layers.Add(name="add")([ea, eb]),                                  # OR of the masks
        layers.Subtract(name="sub")([ea, x]),                              # x unmasked: no mask
        layers.Concatenate(axis=1, name="cat_steps")([ea, x]),              # (a mask, ones)
        layers.Concatenate(name="cat_features")([ea, x]),                   # ones
        layers.Concatenate(name="cat_both")([ea, eb]),                      # OR
        layers.Dense(4, name="dense")(layers.Dropout(0.2, name="drop")(layers.LayerNormalization(name="ln")(ea))),
    ]
    pooled = [layers.GlobalAveragePooling1D(name=f"avg{i}")(p) for i, p in enumerate(pools)]
    pooled.append(layers.GlobalMaxPooling1D(name="max")(ea))
    return keras.Model([a_ids, b_ids, x], layers.Concatenate(name="all")(pooled), name="mask_merges")


def score_attention():
    q_ids, v_ids = ids("q_ids", 6), ids("v_ids", 5)
    k = keras.Input((5, 4), name="k")
    eq = layers.Embedding(VOCAB, 4, mask_zero=True, name="q_embed")(q_ids)
    ev = layers.Embedding(VOCAB, 3, mask_zero=True, name="v_embed")(v_ids)
    ek = layers.Embedding(VOCAB, 4, mask_zero=True, name="k_embed")(v_ids)
    a1 = layers.Attention(name="dot")([eq, ek])
    a2 = layers.Attention(use_scale=True, score_mode="concat", name="concat")([eq, ev, k])
    a3 = layers.AdditiveAttention(name="additive")([eq, ek], use_causal_mask=True)
    a4, s4 = layers.Attention(use_scale=True, name="scaled")([eq, eq], return_attention_scores=True, use_causal_mask=True)
    a5 = layers.AdditiveAttention(use_scale=False, dropout=0.2, name="plain")([eq, ev, ek])
    cat = layers.Concatenate(name="cat")([a1, a2, a3, a4, a5])
    y = layers.Dense(2, name="out")(layers.GlobalAveragePooling1D(name="pool")(cat))
    return keras.Model([q_ids, v_ids, k], [y, cat, s4], name="score_attention")


def gqa_model():
    t = ids("tokens", 6)
    x = keras.Input((4, 5), name="context")
    m = keras.Input((6, 4), name="m")
    e = layers.Embedding(VOCAB, 8, mask_zero=True, name="embed")(t)
    a = layers.GroupQueryAttention(4, 4, 2, name="self_gqa")(e, e, use_causal_mask=True)
    h = layers.LayerNormalization(name="norm")(layers.Add(name="res")([e, a]))
    v = layers.Dense(8, name="value_proj")(x)
    c, s = layers.GroupQueryAttention(2, 2, 1, dropout=0.1, use_bias=False, name="cross_gqa")(
        h, v, key=x, attention_mask=m, return_attention_scores=True)
    y = layers.Dense(3, name="out")(layers.GlobalAveragePooling1D(name="pool")(c))
    return keras.Model([t, x, m], [y, c, s], name="gqa_model")


def axes_model():
    x = keras.Input((3, 4, 5), name="grid")
    a, s = layers.MultiHeadAttention(2, 3, attention_axes=[2], name="along_2")(x, x, return_attention_scores=True)
    b = layers.MultiHeadAttention(2, 2, attention_axes=(1,), value_dim=3, name="along_1")(a, x)
    y = layers.Dense(2, name="out")(layers.Flatten(name="flat")(b))
    return keras.Model(x, [y, s], name="axes_model")


MODELS = {"mask_mha": mask_mha, "mask_encoder": mask_encoder, "mask_merges": mask_merges, "score_attention": score_attention,
          "gqa_model": gqa_model, "axes_model": axes_model}


def inputs(model, n):
    out = []
    for t in model.inputs:
        shape = (n,) + tuple(t.shape[1:])
        if t.name.endswith("ids") or t.name == "tokens":
            steps = shape[1]
            a = rng.integers(1, VOCAB, size=shape).astype("float32")
            for b, length in enumerate(rng.integers(1, steps + 1, size=n)):
                a[b, length:] = 0
            out.append(a)
        else:
            a = rng.normal(size=shape).astype("float32")
            if t.name == "key_features":   # a few all-zero steps for Masking
                a[:, -2:, :] = 0
            out.append((a > -0.5).astype("float32") if t.name == "m" else a)
    return out


def main():
    for name, make in MODELS.items():
        model = make()
        model.set_weights([w + rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()])
        save(name, model, inputs(model, 6), weights=True)


if __name__ == "__main__":
    main()

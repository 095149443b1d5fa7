"""Functional models with MultiHeadAttention saved by real Keras 3: a Transformer
encoder block (self-attention, residuals, LayerNormalization, feed-forward), and cross
attention called with every tensor keyword (key=, attention_mask=, use_causal_mask=,
return_attention_scores=, and query=/value= by keyword); and keras_hub's
PositionEmbedding, TokenAndPositionEmbedding and TransformerEncoder.

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_attention_models.py

Writes NAME.keras, NAME.h5, NAME.json, NAME.weights.h5 and NAME.io.json as
gen_graph_models.py does (the encoder fitted two epochs on random data first, the
cross-attention model's weights perturbed at random).
"""
import os
import sys
import warnings

import numpy as np
import keras
from keras import layers

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras_models"))
from gen_keras_models import save  # noqa: E402  (the shared save steps)

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(15)
rng = np.random.default_rng(15)


def encoder_block():
    x = keras.Input((6, 5), name="x")
    h = layers.Dense(8, name="proj")(x)
    a = layers.MultiHeadAttention(2, 4, dropout=0.1, name="mha")(h, h)
    h = layers.LayerNormalization(epsilon=1e-6, name="ln1")(layers.Add(name="res1")([h, a]))
    f = layers.Dense(16, activation="relu", name="ff1")(h)
    f = layers.Dense(8, name="ff2")(f)
    h = layers.LayerNormalization(epsilon=1e-6, name="ln2")(layers.Add(name="res2")([h, f]))
    y = layers.Dense(3, activation="softmax", name="out")(layers.GlobalAveragePooling1D(name="pool")(h))
    return keras.Model(x, y, name="encoder_block")


def attention_kwargs():
    q = keras.Input((5, 6), name="q")
    v = keras.Input((5, 3), name="v")
    k = keras.Input((5, 7), name="k")
    m = keras.Input((5, 5), name="m")
    y, s = layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=5, name="cross")(
        q, v, key=k, attention_mask=m, use_causal_mask=True, return_attention_scores=True)
    z = layers.MultiHeadAttention(3, 2, use_bias=False, name="self")(query=y, value=y)
    return keras.Model([q, v, k, m], [z, s], name="attention_kwargs")


def position_embedding():
    """keras_hub's PositionEmbedding added to projected tokens (fewer steps than its
    sequence_length, so only the first rows are used)."""
    import keras_hub
    x = keras.Input((4, 3), name="x")
    h = layers.Dense(5, name="tokens")(x)
    p = keras_hub.layers.PositionEmbedding(sequence_length=6, name="positions")(h)
    y = layers.Dense(2, name="out")(layers.Flatten(name="flat")(layers.Add(name="add")([h, p])))
    return keras.Model(x, y, name="position_embedding")


def token_position():
    """keras_hub's TokenAndPositionEmbedding feeding a small encoder (ids as float input,
    as kerasctl reads numeric data)."""
    import keras_hub
    ids = keras.Input((6,), name="ids")
    h = keras_hub.layers.TokenAndPositionEmbedding(vocabulary_size=12, sequence_length=8, embedding_dim=4, name="embed")(ids)
    a = layers.MultiHeadAttention(2, 2, name="mha")(h, h, use_causal_mask=True)
    y = layers.Dense(3, name="out")(layers.GlobalAveragePooling1D(name="pool")(layers.Add(name="res")([h, a])))
    return keras.Model(ids, y, name="token_position")


def hub_encoder():
    """keras_hub's TransformerEncoder twice: post-norm with dropout, then pre-norm
    (normalize_first) with another activation and epsilon."""
    import keras_hub
    x = keras.Input((6, 8), name="x")
    h = keras_hub.layers.TransformerEncoder(intermediate_dim=16, num_heads=2, dropout=0.1, name="enc1")(x)
    h = keras_hub.layers.TransformerEncoder(intermediate_dim=12, num_heads=4, activation="tanh", layer_norm_epsilon=1e-6,
                                            normalize_first=True, name="enc2")(h)
    y = layers.Dense(3, name="out")(layers.GlobalAveragePooling1D(name="pool")(h))
    return keras.Model(x, y, name="hub_encoder")


MODELS = {"encoder_block": encoder_block, "attention_kwargs": attention_kwargs, "position_embedding": position_embedding,
          "token_position": token_position, "hub_encoder": hub_encoder}


def inputs(model, n):
    out = []
    for t in model.inputs:
        shape = (n,) + tuple(t.shape[1:])
        a = rng.normal(size=shape).astype("float32")
        if t.name == "ids":
            a = rng.integers(0, 12, size=shape).astype("float32")
        out.append((a > -0.5).astype("float32") if t.name == "m" else a)
    return out


def main():
    for name, make in MODELS.items():
        model = make()
        xs = inputs(model, 32)
        ys = [rng.normal(size=(32,) + tuple(t.shape[1:])).astype("float32") for t in model.outputs]
        if len(ys) == 1:
            model.compile(optimizer="adam", loss="mse")
            model.fit(xs[0], ys[0], epochs=2, batch_size=8, verbose=0)
        else:  # Keras's fit trips over the attention scores' propagated mask: perturb instead
            model.set_weights([w + rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()])
        save(name, model, inputs(model, 4), weights=True)


if __name__ == "__main__":
    main()

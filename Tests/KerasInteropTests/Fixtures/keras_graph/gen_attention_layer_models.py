"""Functional models saved by real Keras 3 with the issue-15 layers beyond attention:
keras_hub's SinePositionEncoding and TransformerDecoder (decoder-only with dropout, then
pre-norm with cross attention to an encoder sequence), and EinsumDense (the equations
MultiHeadAttention and keras_hub write, and one with an ellipsis), GroupNormalization and
UnitNormalization.

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 /work/venv-keras/bin/python gen_attention_layer_models.py

Writes NAME.keras, NAME.h5, NAME.json, NAME.weights.h5 and NAME.io.json as
gen_graph_models.py does (each fitted two epochs on random data first).
"""
import warnings

import numpy as np
import keras
import keras_hub
from keras import layers

from gen_graph_models import fit_and_save

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(16)
rng = np.random.default_rng(16)


def hub_decoder():
    x = keras.Input((6, 5), name="x")
    e = keras.Input((4, 3), name="e")
    h = layers.Dense(8, name="proj")(x)
    h = layers.Add(name="add_positions")([h, keras_hub.layers.SinePositionEncoding(name="positions")(h)])
    d = keras_hub.layers.TransformerDecoder(intermediate_dim=16, num_heads=2, dropout=0.1, name="dec1")(h)
    enc = layers.Dense(8, name="enc_proj")(e)
    d = keras_hub.layers.TransformerDecoder(intermediate_dim=12, num_heads=4, activation="gelu", layer_norm_epsilon=1e-6,
                                            normalize_first=True, name="dec2")(d, enc)
    y = layers.Dense(3, name="out")(layers.GlobalAveragePooling1D(name="pool")(d))
    return keras.Model([x, e], y, name="hub_decoder")


def einsum_norms():
    x = keras.Input((6, 8), name="x")
    h = layers.EinsumDense("abc,cde->abde", (None, 2, 4), bias_axes="de", name="heads")(x)
    h = layers.EinsumDense("abcd,cde->abe", (None, 6), bias_axes="e", activation="relu", name="merge")(h)
    h = layers.GroupNormalization(groups=3, name="gn")(h)
    h = layers.UnitNormalization(name="unit")(h)
    h = layers.EinsumDense("...b,bc->...c", 3, bias_axes="c", name="ellipsis")(h)
    y = layers.Dense(2, name="out")(layers.GlobalAveragePooling1D(name="pool")(h))
    return keras.Model(x, y, name="einsum_norms")


MODELS = {"hub_decoder": hub_decoder, "einsum_norms": einsum_norms}


def main():
    for name, make in MODELS.items():
        fit_and_save(name, make(), rng, weights=True)


if __name__ == "__main__":
    main()

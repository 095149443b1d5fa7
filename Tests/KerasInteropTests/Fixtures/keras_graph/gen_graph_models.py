"""Builds small functional models with real Keras 3 that use what keras.applications
models are made of beyond plain layers: keras.ops operations on tensors and Python
constants, the call argument `training=False`, and models nested as layers.

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_graph_models.py

For each model NAME it writes NAME.keras, NAME.h5, NAME.json (to_json), NAME.weights.h5
(save_weights) and NAME.io.json ({"keras_version", "params", "inputs", "outputs"}: fixed
inputs and Keras's predictions). Each model is fitted for two epochs on random data first,
so that weights and BatchNormalization's moving statistics are not at their initial values.
"""
import json
import os
import warnings

import numpy as np
import keras
from keras import layers, ops

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(11)
rng = np.random.default_rng(11)


def arr(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def ops_graph():
    """MobileNetV3's hard sigmoid (ReLU6(x + 3) / 6 as ops with constants), and the
    reductions, reshapes and arithmetic Keras users write with keras.ops."""
    x = keras.Input((4, 6), name="x")
    h = layers.Dense(6, name="h")(x)
    hs = ops.relu6(h + 3.0) * (1.0 / 6.0)           # Add(h, 3.0), Relu6, Multiply(., 1/6)
    m = ops.mean(hs, axis=1, keepdims=True)          # (None, 1, 6)
    r = 2.0 - hs / (m + 1.0)                         # Add, Divide, Subtract with the constant first
    t = ops.transpose(r, (0, 2, 1))                  # (None, 6, 4)
    s = ops.reshape(t, (-1, 24))
    e = ops.expand_dims(ops.sum(s, axis=-1), 1)      # (None, 1)
    c = ops.concatenate([s, e, ops.square(e) ** 0.5], axis=-1)
    g = ops.sigmoid(c) + ops.maximum(c, 0.0) - ops.negative(ops.abs(c))
    y = layers.Dense(3, name="out")(g)
    return keras.Model(x, y, name="ops_graph")


def training_false():
    """Dropout and BatchNormalization called with training=False, as EfficientNet's top."""
    x = keras.Input((8,), name="x")
    h = layers.Dense(16, activation="relu", name="h")(x)
    h = layers.BatchNormalization(name="bn")(h, training=False)
    h = layers.Dropout(0.5, name="drop")(h, training=False)
    y = layers.Dense(2, name="out")(h)
    return keras.Model(x, y, name="training_false")


def nested():
    """A Sequential stem and a functional block used as layers (ConvNeXt's stem is a
    Sequential), the block called twice (shared weights), ordered so that the weights
    of a nested model are not in alphabetical order (LayerNormalization before Dense)."""
    stem = keras.Sequential([
        keras.Input((6,)),
        layers.LayerNormalization(epsilon=1e-6, name="stem_ln"),
        layers.Dense(8, name="stem_dense"),
        layers.BatchNormalization(name="stem_bn"),
    ], name="stem")
    bi = keras.Input((8,), name="bi")
    bh = layers.Dense(8, activation="tanh", name="block_dense")(bi)
    block = keras.Model(bi, layers.Add(name="block_add")([bi, bh]), name="block")
    x = keras.Input((6,), name="x")
    h = block(block(stem(x)))
    y = layers.Dense(2, name="out")(h)
    return keras.Model(x, y, name="nested")


MODELS = {"ops_graph": ops_graph, "training_false": training_false, "nested": nested}


def main():
    for name, make in MODELS.items():
        model = make()
        shapes = [tuple(t.shape[1:]) for t in model.inputs]
        xs = [rng.normal(size=(32,) + s).astype("float32") for s in shapes]
        ys = [rng.normal(size=(32,) + tuple(t.shape[1:])).astype("float32") for t in model.outputs]
        model.compile(optimizer="adam", loss="mse")
        model.fit(xs if len(xs) > 1 else xs[0], ys[0], epochs=2, batch_size=8, verbose=0)
        test = [rng.normal(size=(4,) + s).astype("float32") for s in shapes]
        save(name, model, test)


def save(name, model, test):
    """Writes NAME.keras, .h5, .weights.h5, .json and .io.json (Keras's predictions on `test`)."""
    pred = model.predict(test if len(test) > 1 else test[0], verbose=0)
    outs = list(pred) if isinstance(pred, (list, tuple)) else [pred]
    model.save(f"{name}.keras")
    model.save(f"{name}.h5")
    model.save_weights(f"{name}.weights.h5")
    with open(f"{name}.json", "w") as f:
        f.write(model.to_json(indent=1))
    with open(f"{name}.io.json", "w") as f:
        json.dump({"keras_version": keras.__version__, "params": int(model.count_params()),
                   "inputs": [arr(t) for t in test], "outputs": [arr(o) for o in outs]}, f)
    print(name, model.count_params(), os.path.getsize(f"{name}.keras"))


if __name__ == "__main__":
    main()

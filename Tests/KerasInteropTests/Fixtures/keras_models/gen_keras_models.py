"""Builds small models with real Keras 3 and saves them for kerasctl's interop tests.

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_keras_models.py

For each model NAME it writes:
  NAME.keras      Keras 3 native format (zip: config.json, metadata.json, model.weights.h5)
  NAME.h5         the legacy HDF5 format (root attribute model_config, model_weights/...)
  NAME.json       model.to_json()
  NAME.io.json    {"keras_version", "params", "inputs": [{"shape", "data"}...],
                   "outputs": [{"shape", "data"}...]}: fixed inputs and Keras's predictions
Each model is fitted for a couple of epochs on random data first, so that weights and
BatchNormalization's moving statistics are not at their initial values.
"""
import json
import os
import warnings

import numpy as np
import keras
from keras import layers

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(7)
rng = np.random.default_rng(7)


def arr(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def mlp_bn():
    return keras.Sequential([
        keras.Input((8,)),
        layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        layers.BatchNormalization(),
        layers.Dropout(0.2),
        layers.Dense(3, activation="softmax"),
    ], name="mlp_bn")


def cnn():
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(5),
    ], name="cnn")


def rnn():
    return keras.Sequential([
        keras.Input((6, 4)),
        layers.LSTM(5, return_sequences=True),
        layers.GRU(3),
        layers.Dense(2),
    ], name="rnn")


def rnn_wrappers():
    return keras.Sequential([
        keras.Input((5, 3)),
        layers.Bidirectional(layers.SimpleRNN(4, return_sequences=True)),
        layers.TimeDistributed(layers.Dense(2)),
        layers.Flatten(),
        layers.Dense(1),
    ], name="rnn_wrappers")


def residual():
    x = keras.Input((6,), name="x")
    h = layers.Dense(8, activation="relu", name="h1")(x)
    g = layers.Dense(8, name="h2")(h)
    s = layers.Add(name="skip")([h, g])
    a = layers.Activation("tanh", name="act")(s)
    y = layers.Dense(2, name="out")(a)
    return keras.Model(x, y, name="residual")


def siamese():
    left = keras.Input((4,), name="left")
    right = keras.Input((4,), name="right")
    enc = layers.Dense(6, activation="relu", name="enc")
    d = layers.Subtract(name="diff")([enc(left), enc(right)])
    c = layers.Concatenate(name="cat")([d, left])
    y = layers.Dense(1, activation="sigmoid", name="score")(c)
    return keras.Model([left, right], y, name="siamese")


MODELS = {"mlp_bn": mlp_bn, "cnn": cnn, "rnn": rnn, "rnn_wrappers": rnn_wrappers,
          "residual": residual, "siamese": siamese}


def main():
    for name, make in MODELS.items():
        fit_and_save(name, make(), rng)


def fit_and_save(name, model, rng, weights=False):
    """Fits `model` two epochs on random data (so weights and BatchNormalization's moving
    statistics leave their initial values), then saves it with Keras's predictions on four
    random examples (see `save`)."""
    shapes = [tuple(t.shape[1:]) for t in model.inputs]
    xs = [rng.normal(size=(32,) + s).astype("float32") for s in shapes]
    ys = [rng.normal(size=(32,) + tuple(t.shape[1:])).astype("float32") for t in model.outputs]
    model.compile(optimizer="adam", loss="mse")
    model.fit(xs if len(xs) > 1 else xs[0], ys[0], epochs=2, batch_size=8, verbose=0)
    test = [rng.normal(size=(4,) + s).astype("float32") for s in shapes]
    save(name, model, test, weights=weights)


def save(name, model, test, weights=False):
    """Writes NAME.keras, .h5, .json and .io.json (Keras's predictions on `test`); with
    `weights`, also NAME.weights.h5 (`model.save_weights`)."""
    pred = model.predict(test if len(test) > 1 else test[0], verbose=0)
    outs = pred if isinstance(pred, list) else [pred]
    model.save(f"{name}.keras")
    model.save(f"{name}.h5")
    if weights:
        model.save_weights(f"{name}.weights.h5")
    with open(f"{name}.json", "w") as f:
        f.write(model.to_json(indent=1))
    with open(f"{name}.io.json", "w") as f:
        json.dump({"keras_version": keras.__version__, "params": int(model.count_params()),
                   "inputs": [arr(t) for t in test], "outputs": [arr(o) for o in outs]}, f)
    print(name, model.count_params(), os.path.getsize(f"{name}.keras"))


if __name__ == "__main__":
    main()

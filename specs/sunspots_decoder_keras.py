"""The model of sunspots_decoder.yaml in real Keras 3 + keras_hub, trained the same way
(Adam, mse, batch 16, 60 epochs, shuffled), for comparison with
`kerasctl train specs/sunspots_decoder.yaml` then `kerasctl evaluate`.

    KERAS_BACKEND=tensorflow /work/venv-keras/bin/python specs/sunspots_decoder_keras.py [seed ...]

Prints one JSON line per seed with the test loss (mse) and mae.
"""
import json
import os
import sys

import numpy as np
import keras
import keras_hub
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    data = np.loadtxt(os.path.join(HERE, "..", "datasets", name), delimiter=",", skiprows=1, dtype="float32")
    return data[:, :16].reshape(-1, 16, 1), data[:, 16:]


def model():
    years = keras.Input((16, 1), name="years")
    embed = layers.Dense(16, name="embed")(years)
    positions = keras_hub.layers.SinePositionEncoding(name="positions")(embed)
    embedded = layers.Add(name="embedded")([embed, positions])
    decoded = keras_hub.layers.TransformerDecoder(intermediate_dim=32, num_heads=2, activation="gelu", name="decoder")(embedded)
    last = layers.Flatten(name="flat")(layers.Cropping1D((15, 0), name="last_year")(decoded))
    return keras.Model(years, layers.Dense(1, name="next")(last), name="sunspots_decoder")


def main():
    x, y = load("sunspots_train.csv")
    xt, yt = load("sunspots_test.csv")
    for seed in [int(s) for s in sys.argv[1:]] or [3]:
        keras.utils.set_random_seed(seed)
        m = model()
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
        m.fit(x, y, batch_size=16, epochs=60, verbose=0)
        loss, mae = m.evaluate(xt, yt, verbose=0)
        print(json.dumps({"seed": seed, "params": m.count_params(), "test_loss": round(loss, 4), "test_mae": round(mae, 4)}), flush=True)


if __name__ == "__main__":
    main()

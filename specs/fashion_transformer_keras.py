"""The model of fashion_transformer.yaml in real Keras 3, trained the same way (Adam,
sparse categorical cross-entropy, batch 64, last 10% of the training set held out for
validation, 10 epochs), for comparison with `kerasctl train specs/fashion_transformer.yaml`.

    KERAS_BACKEND=tensorflow /work/venv-keras/bin/python specs/fashion_transformer_keras.py [epochs]

Prints one JSON line per epoch (seconds, loss, accuracy, val_accuracy) and one with the
test accuracy, as ../shared/bench/keras_reference.py does (bench/run.sh reads them).
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import keras
import keras_hub
from keras import layers

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def model():
    rows = keras.Input((28, 28), name="rows")
    tokens = layers.Dense(32, name="tokens")(rows)
    positions = keras_hub.layers.PositionEmbedding(sequence_length=28, name="positions")(tokens)
    embedded = layers.Add(name="embedded")([tokens, positions])
    attention = layers.MultiHeadAttention(num_heads=4, key_dim=32, dropout=0.1, name="attention")(embedded, embedded)
    norm1 = layers.LayerNormalization(epsilon=1e-6, name="norm1")(layers.Add(name="residual1")([embedded, attention]))
    ff = layers.Dense(32, name="ff2")(layers.Dense(64, activation="relu", name="ff1")(norm1))
    norm2 = layers.LayerNormalization(epsilon=1e-6, name="norm2")(layers.Add(name="residual2")([norm1, ff]))
    pooled = layers.GlobalAveragePooling1D(name="pool")(norm2)
    return keras.Model(rows, layers.Dense(10, activation="softmax", name="classes")(pooled), name="fashion_transformer")


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(json.dumps({"epoch": epoch + 1, "seconds": round(time.perf_counter() - self.start, 3),
                          "loss": round(float(logs["loss"]), 4), "accuracy": round(float(logs["accuracy"]), 4),
                          "val_accuracy": round(float(logs["val_accuracy"]), 4)}), flush=True)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    keras.utils.set_random_seed(42)
    x = idx("train-images-idx3-ubyte.gz").astype("float32") / 255.0
    y = idx("train-labels-idx1-ubyte.gz").astype("int64")
    xt = idx("t10k-images-idx3-ubyte.gz").astype("float32") / 255.0
    yt = idx("t10k-labels-idx1-ubyte.gz").astype("int64")
    m = model()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, y, batch_size=64, epochs=epochs, validation_split=0.1, verbose=0, callbacks=[EpochTimes()])
    loss, acc = m.evaluate(xt, yt, batch_size=256, verbose=0)
    print(json.dumps({"model": "transformer", "backend": keras.backend.backend(), "test_loss": round(loss, 4),
                      "test_accuracy": round(acc, 4), "params": m.count_params()}))


if __name__ == "__main__":
    main()

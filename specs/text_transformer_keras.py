"""The model of text_transformer.yaml in real Keras 3 + keras_hub, trained the same way
(Adam 1e-3, sparse categorical cross-entropy, batch 32, last 10% of the training rows held
out for validation, 20 epochs), for comparison with
`kerasctl train specs/text_transformer.yaml`.

    KERAS_BACKEND=tensorflow /work/venv-keras/bin/python specs/text_transformer_keras.py [epochs] [seed]

The classes are the sentiment strings in sorted order (negative = 0, positive = 1), as
kerasctl maps a CSV string target. Prints one JSON line per epoch and one with the test
accuracy.
"""
import csv
import json
import os
import sys

import numpy as np
import keras
import keras_hub
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, "..", "datasets", name)) as f:
        rows = list(csv.reader(f))[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in rows], dtype="float32")
    classes = sorted({r[-1] for r in rows})
    return x, np.array([classes.index(r[-1]) for r in rows], dtype="int64")


def model():
    ids = keras.Input((24,), name="ids")
    h = keras_hub.layers.TokenAndPositionEmbedding(vocabulary_size=32, sequence_length=24, embedding_dim=32,
                                                   mask_zero=True, name="embed")(ids)
    h = keras_hub.layers.TransformerEncoder(intermediate_dim=64, num_heads=4, dropout=0.1, name="encoder")(h)
    pooled = layers.GlobalAveragePooling1D(name="pool")(h)
    return keras.Model(ids, layers.Dense(2, activation="softmax", name="sentiment")(pooled), name="text_transformer")


class Epochs(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print(json.dumps({"epoch": epoch + 1, "loss": round(float(logs["loss"]), 4),
                          "accuracy": round(float(logs["accuracy"]), 4),
                          "val_accuracy": round(float(logs["val_accuracy"]), 4)}), flush=True)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    keras.utils.set_random_seed(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
    x, y = load("negation_train.csv")
    xt, yt = load("negation_test.csv")
    m = model()
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, y, batch_size=32, epochs=epochs, validation_split=0.1, verbose=0, callbacks=[Epochs()])
    loss, acc = m.evaluate(xt, yt, verbose=0)
    print(json.dumps({"model": "text_transformer", "backend": keras.backend.backend(), "test_loss": round(loss, 4),
                      "test_accuracy": round(acc, 4), "params": m.count_params()}))


if __name__ == "__main__":
    main()

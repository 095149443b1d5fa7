"""Helper for keras_roundtrip.sh: real Keras's side of the round trip.

  keras_roundtrip.py compare MODEL.keras FEATURES.csv KERASCTL_PREDICTIONS.csv
      loads MODEL.keras with keras.saving.load_model, predicts FEATURES.csv (header,
      numeric feature columns; a 'species' column is dropped) and compares with
      kerasctl's `predict --probabilities` lines. Exit 1 when they differ by more than 1e-5.
  keras_roundtrip.py make OUT_DIR
      trains a small Keras model on Iris and saves OUT_DIR/keras_iris.keras, .h5 and
      OUT_DIR/keras_iris.predictions.csv (its predictions on the raw features).
"""
import csv
import sys

import numpy as np


def features(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    names = [k for k in rows[0] if k != "species"]
    return np.array([[float(r[k]) for k in names] for r in rows], dtype="float32")


def compare(model_path, features_path, kerasctl_path):
    import keras
    model = keras.saving.load_model(model_path)
    x = features(features_path)
    want = np.asarray(model.predict(x, verbose=0), dtype="float64")
    got = np.loadtxt(kerasctl_path, delimiter=",", ndmin=2)
    if got.shape != want.shape:
        print(f"FAIL {model_path}: kerasctl predictions {got.shape} vs Keras {want.shape}")
        return 1
    diff = float(np.max(np.abs(got - want)))
    agree = float(np.mean(got.argmax(1) == want.argmax(1)))
    status = "OK  " if diff <= 1e-5 else "FAIL"
    print(f"{status} {model_path}: Keras {keras.__version__} loads it; {len(x)} examples, "
          f"max |kerasctl - Keras| = {diff:.2e}, same class {agree:.0%}")
    return 0 if diff <= 1e-5 else 1


def make(out):
    import keras
    keras.utils.set_random_seed(3)
    x = features("datasets/iris.csv")
    with open("datasets/iris.csv") as f:
        names = sorted({r["species"] for r in csv.DictReader(f)})
    with open("datasets/iris.csv") as f:
        y = np.array([names.index(r["species"]) for r in csv.DictReader(f)])
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(3, activation="softmax"),
    ], name="keras_iris")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    model.save(f"{out}/keras_iris.keras")
    model.save(f"{out}/keras_iris.h5")
    np.savetxt(f"{out}/keras_iris.predictions.csv", model.predict(x, verbose=0), delimiter=",", fmt="%.9g")
    return 0


def compare_files(a, b, label):
    x = np.loadtxt(a, delimiter=",", ndmin=2)
    y = np.loadtxt(b, delimiter=",", ndmin=2)
    diff = float(np.max(np.abs(x - y))) if x.shape == y.shape else float("inf")
    status = "OK  " if diff <= 1e-5 else "FAIL"
    print(f"{status} {label}: {len(x)} examples, max |kerasctl - Keras| = {diff:.2e}")
    return 0 if diff <= 1e-5 else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "compare":
        sys.exit(compare(*sys.argv[2:5]))
    if cmd == "make":
        sys.exit(make(sys.argv[2]))
    if cmd == "same":
        sys.exit(compare_files(*sys.argv[2:5]))
    sys.exit(f"unknown command {cmd}")

#!/usr/bin/env python3
"""Reference timings from real Keras (TensorFlow CPU backend) on Fashion-MNIST.

Usage: keras_reference.py MODEL EPOCHS   (MODEL: mlp | cnn | cnn_bn | lstm)
(kept in the repository from the project's shared reference, with cnn_bn added)
Prints one JSON line per epoch and a final summary line, so that the same
model in kerasctl can be compared side by side on this machine.
"""
import gzip, json, sys, time, os
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
from keras import layers

D = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{D}/{name}", "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    model_name, epochs = sys.argv[1], int(sys.argv[2])
    x = idx("train-images-idx3-ubyte.gz").astype("float32") / 255.0
    y = idx("train-labels-idx1-ubyte.gz").astype("int64")
    xt = idx("t10k-images-idx3-ubyte.gz").astype("float32") / 255.0
    yt = idx("t10k-labels-idx1-ubyte.gz").astype("int64")
    keras.utils.set_random_seed(1)
    if model_name == "mlp":  # the seed's model
        x, xt = x.reshape(-1, 784), xt.reshape(-1, 784)
        model = keras.Sequential([
            keras.Input((784,)),
            layers.Dense(512, activation="relu"), layers.Dropout(0.2),
            layers.Dense(512, activation="relu"), layers.Dropout(0.2),
            layers.Dense(10, activation="softmax")])
        opt, batch = keras.optimizers.RMSprop(), 128
    elif model_name == "cnn":  # 2 conv + pooling, the Fashion-MNIST benchmark table's classic
        x, xt = x[..., None], xt[..., None]
        model = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dropout(0.5),
            layers.Dense(10, activation="softmax")])
        opt, batch = keras.optimizers.Adam(), 128
    elif model_name == "cnn_bn":  # convolutions with BatchNormalization (specs/bench_cnn_bn.yaml)
        x, xt = x[..., None], xt[..., None]
        model = keras.Sequential([keras.Input((28, 28, 1))] + [
            l for f in (32, 64) for l in (layers.Conv2D(f, 3, padding="same", use_bias=False), layers.BatchNormalization(),
                                          layers.Activation("relu"), layers.Conv2D(f, 3, padding="same", use_bias=False),
                                          layers.BatchNormalization(), layers.Activation("relu"), layers.MaxPooling2D(2))] + [
            layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
        opt, batch = keras.optimizers.Adam(), 128
    elif model_name == "lstm":  # image rows as a 28-step sequence
        model = keras.Sequential([
            keras.Input((28, 28)), layers.LSTM(128), layers.Dense(10, activation="softmax")])
        opt, batch = keras.optimizers.Adam(), 128
    else:
        raise SystemExit(f"unknown model {model_name}")
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class T(keras.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, e, logs=None):
            print(json.dumps({"epoch": e + 1, "seconds": round(time.perf_counter() - self.t, 3),
                              "loss": round(float(logs["loss"]), 4), "accuracy": round(float(logs["accuracy"]), 4)}), flush=True)

    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[T()])
    t0 = time.perf_counter()
    loss, acc = model.evaluate(xt, yt, batch_size=1000, verbose=0)
    print(json.dumps({"model": model_name, "backend": keras.backend.backend(), "test_loss": round(loss, 4),
                      "test_accuracy": round(acc, 4), "eval_seconds": round(time.perf_counter() - t0, 3),
                      "params": model.count_params()}))


if __name__ == "__main__":
    main()

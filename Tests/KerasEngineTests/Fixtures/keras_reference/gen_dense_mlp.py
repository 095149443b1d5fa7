#!/usr/bin/env python3
"""Dense layers, a tiny fixed-weight MLP (forward + gradients + one training step), and
parameter counts of the benchmark models (/work/shared/bench/keras_reference.py)."""
from _common import arr, case_rng, clean_config, fixed, layer_case, np, keras, tf, write

Ly = keras.layers
X = fixed(case_rng("input:dense"), (2, 5), 1.0)
XB = fixed(case_rng("input:mlp_batch"), (4, 5), 1.0)
YB = np.array([2, 0, 1, 2], dtype=np.int32)

cases = []
for name, make in [
    ("dense", lambda: Ly.Dense(3)),
    ("dense_no_bias", lambda: Ly.Dense(3, use_bias=False)),
    ("dense_relu", lambda: Ly.Dense(3, activation="relu")),
    ("dense_softmax", lambda: Ly.Dense(3, activation="softmax")),
    ("dense_tanh", lambda: Ly.Dense(3, activation="tanh")),
    ("mlp_5_4relu_3softmax", lambda: keras.Sequential(
        [keras.Input((5,)), Ly.Dense(4, activation="relu"), Ly.Dense(3, activation="softmax")])),
    ("mlp_dropout_inference", lambda: keras.Sequential(
        [keras.Input((5,)), Ly.Dense(4, activation="relu"), Ly.Dropout(0.2),
         Ly.Dense(3, activation="softmax")])),
]:
    c = layer_case(name, make(), X)
    c["kind"] = "forward"
    cases.append(c)


# One compiled training step (train_on_batch) per optimizer on the tiny MLP: loss/metric before
# the update and weights after it.
def mlp():
    m = keras.Sequential([keras.Input((5,)), Ly.Dense(4, activation="relu"),
                          Ly.Dense(3, activation="softmax")])
    rng = case_rng("train_step_weights")
    m.set_weights([fixed(rng, tuple(v.shape), 0.5) for v in m.weights])
    return m


for opt_name, opt_make in [("sgd_0.1", lambda: keras.optimizers.SGD(0.1)),
                           ("rmsprop", lambda: keras.optimizers.RMSprop()),
                           ("adam", lambda: keras.optimizers.Adam())]:
    m = mlp()
    w0 = [np.array(v.numpy()) for v in m.weights]
    m.compile(optimizer=opt_make(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = m.train_on_batch(XB, YB, return_dict=True)
    w1 = [np.array(v.numpy()) for v in m.weights]
    ev = m.evaluate(XB, YB, verbose=0, return_dict=True)
    resolved = {}
    for met in m.metrics:
        for sub in getattr(met, "metrics", [met]) or [met]:
            resolved[sub.name] = sub.__class__.__name__
    cases.append({"name": f"mlp_train_on_batch_{opt_name}", "kind": "train_step",
                  "model": "Dense(4, relu) -> Dense(3, softmax), input 5",
                  "compile": {"optimizer": opt_name, "loss": "sparse_categorical_crossentropy",
                              "metrics": ["accuracy"]},
                  "resolved_metrics": resolved,
                  "inputs": [arr(XB)], "y": arr(YB),
                  "weights_before": [arr(w) for w in w0],
                  "weights_after": [arr(w) for w in w1],
                  "train_logs": {k: float(v) for k, v in logs.items()},
                  "evaluate_after": {k: float(v) for k, v in ev.items()},
                  "predict_after": arr(m.predict(XB, verbose=0))})


def counts(name, model):
    tr = int(sum(np.prod(v.shape) for v in model.trainable_weights))
    nt = int(sum(np.prod(v.shape) for v in model.non_trainable_weights))
    layers = [{"class": l.__class__.__name__, "output_shape": list(l.output.shape[1:]),
               "params": int(l.count_params())} for l in model.layers]
    return {"name": name, "kind": "param_count", "total": int(model.count_params()),
            "trainable": tr, "non_trainable": nt, "layers": layers}


cases.append(counts("bench_mlp_784_512_512_10", keras.Sequential([
    keras.Input((784,)), Ly.Dense(512, activation="relu"), Ly.Dropout(0.2),
    Ly.Dense(512, activation="relu"), Ly.Dropout(0.2), Ly.Dense(10, activation="softmax")])))
cases.append(counts("bench_cnn", keras.Sequential([
    keras.Input((28, 28, 1)),
    Ly.Conv2D(32, 3, activation="relu"), Ly.MaxPooling2D(2),
    Ly.Conv2D(64, 3, activation="relu"), Ly.MaxPooling2D(2),
    Ly.Flatten(), Ly.Dropout(0.5), Ly.Dense(10, activation="softmax")])))
cases.append(counts("bench_lstm", keras.Sequential([
    keras.Input((28, 28)), Ly.LSTM(128), Ly.Dense(10, activation="softmax")])))
cases.append(counts("cnn_batchnorm", keras.Sequential([
    keras.Input((28, 28, 1)),
    Ly.Conv2D(32, 3, use_bias=False), Ly.BatchNormalization(), Ly.Activation("relu"),
    Ly.MaxPooling2D(2),
    Ly.Conv2D(64, 3, use_bias=False), Ly.BatchNormalization(), Ly.Activation("relu"),
    Ly.MaxPooling2D(2),
    Ly.Flatten(), Ly.Dense(10, activation="softmax")])))
cases.append(counts("gru_64_reset_after_true", keras.Sequential([
    keras.Input((28, 28)), Ly.GRU(64), Ly.Dense(10)])))
cases.append(counts("gru_64_reset_after_false", keras.Sequential([
    keras.Input((28, 28)), Ly.GRU(64, reset_after=False), Ly.Dense(10)])))
cases.append(counts("simple_rnn_64", keras.Sequential([
    keras.Input((28, 28)), Ly.SimpleRNN(64), Ly.Dense(10)])))

# How metrics=["accuracy"] / ["acc"] / ["crossentropy"] resolve (Keras 3 decides by the shapes of
# y_true / y_pred, not by the loss).
for tag, loss, out_units, y in [
        ("sparse_y_rank1", "sparse_categorical_crossentropy", 3, np.array([0, 2], np.int32)),
        ("sparse_y_shape_n1", "sparse_categorical_crossentropy", 3, np.array([[0], [2]], np.int32)),
        ("onehot", "categorical_crossentropy", 3, np.eye(3, dtype=np.float32)[[0, 2]]),
        ("binary_1_unit", "binary_crossentropy", 1, np.array([[0.0], [1.0]], np.float32)),
        ("mse_1_unit", "mse", 1, np.array([[0.0], [1.0]], np.float32)),
        ("mse_3_units", "mse", 3, np.eye(3, dtype=np.float32)[[0, 2]])]:
    for metric in ["accuracy", "acc", "crossentropy"]:
        m = keras.Sequential([keras.Input((5,)), Ly.Dense(out_units)])
        m.compile(optimizer="sgd", loss=loss, metrics=[metric])
        c = {"name": f"metric_resolution_{tag}_{metric}", "kind": "metric_resolution",
             "loss": loss, "output_units": out_units, "y_true_shape": list(y.shape), "metric": metric}
        try:
            m.train_on_batch(X, y)
            resolved = {}
            for met in m.metrics:
                for sub in getattr(met, "metrics", [met]) or [met]:
                    resolved[sub.name] = sub.__class__.__name__
            c["resolved_metrics"] = resolved
        except ValueError as e:
            c["error"] = str(e)
        cases.append(c)
cases.append(counts("bidirectional_lstm_embedding", keras.Sequential([
    keras.Input((20,), dtype="int32"), Ly.Embedding(1000, 32),
    Ly.Bidirectional(Ly.LSTM(16)), Ly.Dense(1, activation="sigmoid")])))

write("dense_mlp", cases,
      note="kind=forward: same schema as layers_conv. kind=train_step: one model.train_on_batch; "
           "train_logs are the loss/metrics of that batch computed BEFORE the update; "
           "weights_* in model.weights order. kind=param_count: model.count_params() etc.")

"""Callbacks driven by real Keras on scripted metric sequences -> callbacks.json.

Each case builds a tiny compiled model (so `mode: auto` can look up metric directions and
ReduceLROnPlateau has an optimizer), then calls the real Keras callback's hooks with the
scripted logs, epoch by epoch, stopping as `fit` would when `model.stop_training` is set.
Recorded per epoch: whether training stopped, the callback's wait/best counters, the
learning rate after the epoch and the logged `learning_rate`, checkpoint paths saved, and
for CSVLogger the exact file text.
"""
import os
import tempfile

from _common import keras, np, write

keras.utils.set_random_seed(0)


def tiny_model(lr=1.0):
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="dense")])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["accuracy", "mae"])
    # Build the compiled metrics so `mode: auto` can find their directions.
    m.fit(np.zeros((2, 2), np.float32), np.zeros((2, 1), np.float32), epochs=1, verbose=0)
    m.optimizer.iterations.assign(0)
    return m


def set_epoch_weights(m, epoch):
    """Weights that say which epoch they come from: every value = epoch."""
    m.set_weights([np.full(w.shape, float(epoch), np.float32) for w in m.get_weights()])


def early_stopping(name, kwargs, seq, monitor_key="val_loss"):
    m = tiny_model()
    cb = keras.callbacks.EarlyStopping(**kwargs)
    cb.set_model(m)
    m.stop_training = False
    cb.on_train_begin()
    epochs = []
    for e, v in enumerate(seq):
        set_epoch_weights(m, e)
        cb.on_epoch_end(e, {monitor_key: v, "loss": 1.0})
        epochs.append({"stop": bool(m.stop_training), "wait": cb.wait,
                       "best": None if cb.best is None else float(cb.best), "best_epoch": cb.best_epoch})
        if m.stop_training:
            break
    cb.on_train_end()
    return {"name": name, "callback": "EarlyStopping", "kwargs": kwargs, "monitor_key": monitor_key,
            "values": seq, "epochs": epochs, "stopped_epoch": cb.stopped_epoch,
            "final_weight": float(m.get_weights()[0].reshape(-1)[0])}


def reduce_lr(name, kwargs, seq, lr=1.0):
    m = tiny_model(lr)
    cb = keras.callbacks.ReduceLROnPlateau(**kwargs)
    cb.set_model(m)
    cb.on_train_begin()
    epochs = []
    for e, v in enumerate(seq):
        logs = {"val_loss": v, "val_accuracy": v, "loss": 1.0}
        cb.on_epoch_end(e, logs)
        epochs.append({"lr": float(np.float32(m.optimizer.learning_rate.numpy())),
                       "logged_lr": logs["learning_rate"], "wait": cb.wait,
                       "cooldown_counter": cb.cooldown_counter,
                       "best": None if cb.best is None else float(cb.best)})
    return {"name": name, "callback": "ReduceLROnPlateau", "kwargs": kwargs, "initial_lr": lr,
            "values": seq, "epochs": epochs}


def checkpoint(name, kwargs, logs_seq):
    m = tiny_model()
    saved = []
    m.save = lambda path, overwrite=True: saved.append(path)
    m.save_weights = lambda path, overwrite=True: saved.append(path)
    cb = keras.callbacks.ModelCheckpoint(**kwargs)
    cb.set_model(m)
    cb.on_train_begin()
    per_epoch = []
    for e, logs in enumerate(logs_seq):
        cb.on_epoch_begin(e)
        n = len(saved)
        cb.on_epoch_end(e, dict(logs))
        per_epoch.append(saved[n:])
    return {"name": name, "callback": "ModelCheckpoint", "kwargs": kwargs, "logs": logs_seq, "saved": per_epoch}


def csv_logger(name, kwargs, logs_seq, prior=None):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "log.csv")
    if prior is not None:
        with open(path, "w") as f:
            f.write(prior)
    cb = keras.callbacks.CSVLogger(path, **kwargs)
    cb.set_model(tiny_model())
    cb.on_train_begin()
    for e, logs in enumerate(logs_seq):
        cb.on_epoch_end(e, dict(logs))
    cb.on_train_end()
    with open(path, newline="") as f:
        text = f.read()
    # Logs also as repr strings: some JSON readers (Linux Foundation) round long floats.
    logs_repr = [{k: repr(v) for k, v in logs.items()} for logs in logs_seq]
    return {"name": name, "callback": "CSVLogger", "kwargs": kwargs, "prior": prior, "logs": logs_seq,
            "logs_repr": logs_repr, "text": text}


cases = [
    early_stopping("patience0_default", {}, [1.0, 0.9, 0.95, 0.8]),
    early_stopping("patience2", {"patience": 2}, [1.0, 0.8, 0.85, 0.81, 0.7, 0.75, 0.76, 0.77]),
    early_stopping("min_delta", {"patience": 1, "min_delta": 0.05}, [1.0, 0.96, 0.90, 0.88, 0.87]),
    early_stopping("negative_min_delta_abs", {"patience": 1, "min_delta": -0.05}, [1.0, 0.96, 0.90, 0.88, 0.87]),
    early_stopping("baseline_never_beaten", {"patience": 2, "baseline": 0.5}, [1.0, 0.9, 0.8, 0.7, 0.6]),
    early_stopping("baseline_beaten", {"patience": 1, "baseline": 0.85}, [1.0, 0.8, 0.79, 0.795, 0.81]),
    early_stopping("start_from_epoch", {"patience": 0, "start_from_epoch": 2}, [1.0, 2.0, 3.0, 2.5, 2.6]),
    early_stopping("restore_best", {"patience": 2, "restore_best_weights": True}, [1.0, 0.5, 0.7, 0.6, 0.4]),
    early_stopping("restore_best_no_stop", {"patience": 5, "restore_best_weights": True}, [1.0, 0.5, 0.7, 0.6]),
    early_stopping("auto_accuracy_max", {"monitor": "val_accuracy", "patience": 1}, [0.5, 0.6, 0.6, 0.55, 0.7],
                   monitor_key="val_accuracy"),
    early_stopping("auto_mae_min", {"monitor": "mae", "patience": 1}, [0.5, 0.4, 0.45, 0.46], monitor_key="mae"),
    early_stopping("mode_max_loss", {"monitor": "loss2", "mode": "max", "patience": 1}, [0.5, 0.4, 0.45, 0.3],
                   monitor_key="loss2"),
    early_stopping("equal_is_no_improvement", {"patience": 1}, [1.0, 1.0, 1.0, 1.0]),
    reduce_lr("defaults_patience10", {}, [1.0] + [1.0] * 12),
    reduce_lr("patience2_factor05", {"patience": 2, "factor": 0.5}, [1.0, 0.9, 0.95, 0.92, 0.91, 0.5, 0.6, 0.7, 0.8]),
    reduce_lr("cooldown", {"patience": 1, "factor": 0.5, "cooldown": 2}, [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 0.9, 1.0]),
    reduce_lr("min_lr", {"patience": 1, "factor": 0.1, "min_lr": 0.005}, [1.0, 2, 3, 4, 5, 6]),
    reduce_lr("min_delta_1e-4", {"patience": 1, "factor": 0.5}, [1.0, 0.99995, 0.9999, 0.99975, 0.9]),
    reduce_lr("mode_max", {"monitor": "val_accuracy", "patience": 1, "factor": 0.5, "mode": "max"},
              [0.5, 0.6, 0.55, 0.61, 0.6]),
    reduce_lr("lr_0.01", {"patience": 1, "factor": 0.3}, [1.0, 1.0, 1.0, 1.0], lr=0.01),
    checkpoint("every_epoch_format", {"filepath": "ckpt/w.{epoch:02d}-{val_loss:.2f}.keras"},
               [{"val_loss": 0.5123, "loss": 0.6}, {"val_loss": 0.4, "loss": 0.5}]),
    checkpoint("save_best_only_auto", {"filepath": "best.keras", "save_best_only": True},
               [{"val_loss": 0.5}, {"val_loss": 0.6}, {"val_loss": 0.4}, {"val_loss": 0.4}]),
    checkpoint("save_best_only_accuracy", {"filepath": "b-{epoch}-{val_accuracy:.3f}.keras", "monitor": "val_accuracy",
                                           "save_best_only": True},
               [{"val_accuracy": 0.5}, {"val_accuracy": 0.7}, {"val_accuracy": 0.6}, {"val_accuracy": 0.71}]),
    checkpoint("initial_value_threshold", {"filepath": "t.keras", "save_best_only": True, "initial_value_threshold": 0.45},
               [{"val_loss": 0.5}, {"val_loss": 0.44}, {"val_loss": 0.46}]),
    checkpoint("format_specs", {"filepath": "x{epoch:>4}_{loss:+.1e}_{loss:g}_{loss}_{epoch:.1f}_{loss:8.3%}.keras"},
               [{"loss": 0.000123456}, {"loss": 12345678.9}]),
    csv_logger("with_val", {}, [{"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.75},
                                {"loss": 0.25, "accuracy": 0.9, "val_loss": 0.1 + 0.2, "val_accuracy": 1e-05}]),
    csv_logger("no_val_adds_na", {}, [{"loss": 0.5, "learning_rate": 0.0010000000474974513},
                                      {"loss": 1e16, "learning_rate": 0.001}]),
    csv_logger("separator_semicolon", {"separator": ";"}, [{"loss": 1.0, "val_loss": 2.0}]),
    csv_logger("append_existing", {"append": True}, [{"loss": 0.5, "val_loss": 0.6}],
               prior="epoch,loss,val_loss\r\n0,0.7,0.8\r\n"),
    csv_logger("append_empty", {"append": True}, [{"loss": 0.5, "val_loss": 0.6}], prior=""),
]

write("callbacks", cases, note="Keras callbacks driven with scripted logs; epochs are 0-based as in Keras hooks")

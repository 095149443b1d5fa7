"""Shared helpers for the Keras reference fixture generators (not a fixture itself)."""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def arr(x):
    """float32 array -> {"shape": [...], "data": [flat row-major floats]}."""
    a = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if a.dtype.kind in "iub":
        return {"shape": list(a.shape), "dtype": "int32",
                "data": [int(v) for v in a.reshape(-1)]}
    a = a.astype(np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def jsonable(v):
    """Make a config dict JSON-serialisable (numpy scalars, tuples, nested)."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if hasattr(v, "numpy"):
        return jsonable(v.numpy())
    if isinstance(v, np.ndarray):
        return jsonable(v.tolist())
    return v


NOISE = {"name", "dtype", "trainable"}


def clean_config(cfg):
    return {k: jsonable(v) for k, v in cfg.items() if k not in NOISE}


def fixed(rng, shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def write(topic, cases, **extra):
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
           "topic": topic}
    out.update(extra)
    out["cases"] = cases
    s = json.dumps(out, allow_nan=True)
    path = os.path.join(HERE, f"{topic}.json")
    with open(path, "w") as f:
        f.write(s)
        f.write("\n")
    n_nan = s.count("NaN") + s.count("Infinity")
    print(f"wrote {path}: {len(cases)} cases, {len(s)} bytes, nan/inf tokens={n_nan}")

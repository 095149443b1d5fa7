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


def case_rng(name):
    """Deterministic per-case RNG (independent of case order)."""
    import zlib
    return np.random.default_rng(zlib.crc32(name.encode()))


def _weight_name(v, layer):
    p = v.path
    prefix = layer.name + "/"
    import re
    p = p[len(prefix):] if p.startswith(prefix) else p
    return re.sub(r"_\d+(?=/|$)", "", p)  # drop Keras auto-numbering (lstm_11 -> lstm)


def layer_case(name, layer, inputs, call_kwargs=None, set_weights=True, weight_scale=0.5,
               extra=None):
    """Build `layer` on `inputs` (np array or list of arrays), replace its weights by seeded
    random values (variance-like weights kept positive), run it under tf.GradientTape and
    record output(s) and gradients of sum_i(sum(output_i * w_i)) w.r.t. inputs and weights."""
    call_kwargs = call_kwargs or {}
    rng = case_rng(name)
    multi_in = isinstance(inputs, (list, tuple))
    xs_np = list(inputs) if multi_in else [inputs]
    xs = [tf.constant(x) for x in xs_np]
    # build
    layer(xs if multi_in else xs[0], **call_kwargs)
    weights = []
    if set_weights:
        for v in layer.weights:
            shape = tuple(v.shape)
            if v.dtype.startswith("int") or v.dtype == "bool":
                weights.append(v.numpy())
                continue
            w = fixed(rng, shape, weight_scale)
            if "variance" in v.path:
                w = np.abs(w) + np.float32(0.5)
            weights.append(w.astype(np.float32))
        layer.set_weights(weights)
    before = [np.array(v.numpy()) for v in layer.weights]
    float_x = [x for x in xs if x.dtype.is_floating]
    with tf.GradientTape(persistent=True) as tape:
        for x in float_x:
            tape.watch(x)
        out = layer(xs if multi_in else xs[0], **call_kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        ws = [tf.constant(fixed(rng, tuple(o.shape), 1.0)) for o in outs]
        s = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32) * w) for o, w in zip(outs, ws)])
    gx = [tape.gradient(s, x) if x.dtype.is_floating else None for x in xs]
    tw = layer.trainable_weights
    gw = tape.gradient(s, tw)
    tw_ids = [id(v) for v in tw]
    after = [np.array(v.numpy()) for v in layer.weights]
    wd = []
    for v, b, a in zip(layer.weights, before, after):
        entry = {"name": _weight_name(v, layer), "trainable": bool(v.trainable), "value": arr(b)}
        if v.trainable:
            g = gw[tw_ids.index(id(v))]
            entry["grad"] = None if g is None else arr(tf.convert_to_tensor(g))
        if not np.array_equal(a, b):
            entry["value_after_call"] = arr(a)
        wd.append(entry)
    c = {"name": name, "class": layer.__class__.__name__,
         "config": clean_config(layer.get_config()),
         "call_kwargs": jsonable(call_kwargs),
         "inputs": [arr(x) for x in xs_np],
         "weights": wd,
         "outputs": [arr(o) for o in outs],
         "output_weights": [arr(w) for w in ws],
         "grad_inputs": [None if g is None else arr(tf.convert_to_tensor(g)) for g in gx]}
    if extra:
        c.update(extra)
    return c


def counted_cases(specs):
    """layer_case for each (name, make, x) of `specs`, with the layer's count_params()."""
    cases = []
    for name, make, x in specs:
        layer = make()
        c = layer_case(name, layer, x)
        c["param_count"] = int(layer.count_params())
        cases.append(c)
    return cases

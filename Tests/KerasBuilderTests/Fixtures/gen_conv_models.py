#!/usr/bin/env python3
"""Keras's model.summary() text and parameter counts for kerasctl specs with convolution,
pooling, normalization, reshaping and noise layers.

Each spec's `model` section is built in real Keras 3 by a literal translation: every layer
`{Name: args}` becomes `keras.layers.Name(**args)` (a scalar is the main argument), so the
argument names kerasctl reads are Keras's own. Run from this folder:

    KERAS_BACKEND=tensorflow COLUMNS=80 python3 gen_conv_models.py   -> conv_models.json

Cases: {"spec" (path from the package root), "name", "total", "trainable", "non_trainable",
"layers": [{"class", "name", "output_shape", "params"}], "summary" (80-column text)}.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["COLUMNS"] = "80"

import keras  # noqa: E402
import yaml  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SPECS = ["specs/bench_cnn.yaml", "specs/fashion_cnn.yaml",
         "Tests/KerasBuilderTests/Fixtures/conv_models/every_layer_1d.yaml",
         "Tests/KerasBuilderTests/Fixtures/conv_models/every_layer_2d.yaml"]
# What a scalar stands for (`Dropout: 0.2` -> rate), as kerasctl's registries read it.
MAIN = {"Dense": "units", "Dropout": "rate", "Activation": "activation", "Reshape": "target_shape",
        "BatchNormalization": "axis", "LayerNormalization": "axis", "Permute": "dims", "RepeatVector": "n",
        "GaussianNoise": "stddev", "GaussianDropout": "rate"}
for prefix, arg in [("Conv", "filters"), ("SeparableConv", "filters"), ("DepthwiseConv", "kernel_size"),
                    ("MaxPooling", "pool_size"), ("AveragePooling", "pool_size"), ("ZeroPadding", "padding"),
                    ("Cropping", "cropping"), ("UpSampling", "size"), ("SpatialDropout", "rate")]:
    for r in "12":
        MAIN[f"{prefix}{r}D"] = arg
        MAIN[f"{prefix}{r}DTranspose"] = arg


def value(key, v):
    if isinstance(v, list):
        return tuple(value(key, x) for x in v)
    if isinstance(v, dict) and len(v) == 1 and key.endswith("_regularizer"):
        (cls, arg), = v.items()
        return getattr(keras.regularizers, cls)(arg)
    return v


def layer(entry):
    if isinstance(entry, str):
        return getattr(keras.layers, entry)()
    (cls, args), = entry.items()
    if args is None:
        args = {}
    elif not isinstance(args, dict):
        args = {MAIN[cls]: args}
    return getattr(keras.layers, cls)(**{k: value(k, v) for k, v in args.items()})


def case(path):
    keras.backend.clear_session()  # fresh auto-names (conv2d, conv2d_1, ...) per model
    spec = yaml.safe_load(open(os.path.join(ROOT, path)))
    name = spec.get("name") or os.path.splitext(os.path.basename(path))[0]
    m = spec["model"]
    model = keras.Sequential([keras.Input(tuple(m["input_shape"]))] + [layer(e) for e in m["layers"]], name=name)
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    tr = sum(int(w.numpy().size) for w in model.trainable_weights)
    nt = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    return {"spec": path, "name": name, "total": int(model.count_params()), "trainable": tr, "non_trainable": nt,
            "layers": [{"class": l.__class__.__name__, "name": l.name, "output_shape": list(l.output.shape[1:]),
                        "params": int(l.count_params())} for l in model.layers],
            "summary": "\n".join(lines)}


out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "topic": "conv_models",
       "cases": [case(p) for p in SPECS]}
with open(os.path.join(HERE, "conv_models.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
for c in out["cases"]:
    print(c["name"], c["total"], c["trainable"], c["non_trainable"])

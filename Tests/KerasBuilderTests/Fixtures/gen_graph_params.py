"""Parameter counts from real Keras for the functional example specs.

    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_graph_params.py > graph_params.json

Each spec in specs/ is translated literally into a Keras functional model (same layer
classes, names and arguments; `Shared` applies the named layer again) and its total,
trainable and per-layer parameter counts are written. `--fit N` also trains the first
spec N epochs on Fashion-MNIST with Keras (a sanity check of the architecture).
"""
import json
import os
import sys

import keras
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SPECS = ["fashion_resnet.yaml", "iris_siamese.yaml", "iris_two_heads.yaml"]
MAIN = {"Dense": "units", "Activation": "activation", "Dropout": "rate", "MaxPooling2D": "pool_size"}


def build(spec):
    m = spec["model"]
    tensors, layers = {}, {}
    inputs = []
    for item in m["inputs"]:
        args = item["Input"]
        t = keras.Input(shape=tuple(args["shape"]), name=args["name"])
        tensors[args["name"]] = t
        inputs.append(t)
    for item in m["layers"]:
        (cls, args), = item.items()
        if not isinstance(args, dict):
            args = {MAIN[cls]: args}
        args = dict(args)
        name, ins = args.pop("name"), args.pop("inputs")
        ins = [ins] if isinstance(ins, str) else ins
        if cls == "Shared":
            layer = layers[args["layer"]]
        else:
            layer = getattr(keras.layers, cls)(name=name, **args)
            layers[name] = layer
        xs = [tensors[i] for i in ins]
        tensors[name] = layer(xs[0] if len(xs) == 1 else xs)
    outputs = [tensors[o] for o in m["outputs"]]
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0], name=spec["name"])


def counts(model):
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    total = model.count_params()
    return {
        "total": total,
        "trainable": trainable,
        "non_trainable": total - trainable,
        "layers": {l.name: l.count_params() for l in model.layers if not isinstance(l, keras.layers.InputLayer)},
    }


def main():
    out = {}
    models = {}
    for f in SPECS:
        with open(os.path.join(ROOT, "specs", f)) as fh:
            spec = yaml.safe_load(fh)
        keras.utils.set_random_seed(1)
        models[f] = build(spec)
        out[f] = counts(models[f])
    if "--fit" in sys.argv:
        import gzip
        import numpy as np

        def idx(name, offset):
            with gzip.open(os.path.join("/usr/share/datasets/fashion-mnist", name)) as fh:
                return np.frombuffer(fh.read(), np.uint8, offset=offset)

        epochs = int(sys.argv[sys.argv.index("--fit") + 1])
        x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
        y = idx("train-labels-idx1-ubyte.gz", 8)
        xt = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
        yt = idx("t10k-labels-idx1-ubyte.gz", 8)
        m = models[SPECS[0]]
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        m.fit(x[..., None] / 255.0, y, epochs=epochs, batch_size=128, verbose=2)
        print(m.evaluate(xt[..., None] / 255.0, yt, verbose=0), file=sys.stderr)
        return
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

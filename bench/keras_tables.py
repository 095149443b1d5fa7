"""The same table model in real Keras: a feature_space spec's FeatureSpace, split, model,
compile and fit, built with keras.utils.FeatureSpace, for the README's side-by-side figures.

    /work/venv-keras/bin/python bench/keras_tables.py specs/penguins.yaml [SEEDS...]

For each seed (default 1 2 3 4 5) it draws kerasctl's `test: {split: f}` rows (SplitMix64
Fisher-Yates, TestSplit.swift) or reads the test file, adapts the FeatureSpace on the
training rows, trains the spec's model (sequential, or functional with the dict mode's named
inputs) and prints the test metrics. kerasctl's figures for the same seeds:
    bench/accuracy_spread.sh specs/penguins.yaml  (or train --seed N --metrics-out ...)

Missing values follow kerasctl's rules: numeric features take their `fill` computed on the
training rows; a missing category is out of vocabulary (the lookup is adapted on the
present values, and a missing cell is looked up as "", which is not in the vocabulary);
rows with a missing target are dropped.
"""
import csv, math, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, tensorflow as tf, keras, yaml
from keras.utils import FeatureSpace

M = (1 << 64) - 1


def test_split(rows, fraction, seed):
    state = seed & M
    def nxt():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)
    order = list(rows)
    n = len(order)
    k = min(max(math.ceil(fraction * n), 1), n - 1)
    for i in range(n - 1, 0, -1):
        j = nxt() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return sorted(order[k:]), sorted(order[:k])


def obj(o):
    """A spec object: `name` or {name: args} -> (name, args)."""
    if isinstance(o, str):
        return o, {}
    (name, args), = o.items()
    return name, args if isinstance(args, dict) else {"__main__": args}


def feature(name, o, fs_args):
    kind, args = obj(o)
    args = dict(args)
    fill = args.pop("fill", None)
    if kind == "text":
        mode = args.get("output_mode", "int")
        return FeatureSpace.feature(dtype="string", preprocessor=keras.layers.TextVectorization(**args),
                                    output_mode="int" if mode == "int" else "float"), kind, None
    main = args.pop("__main__", None)
    if main is not None:
        args[{"float_rescaled": "scale"}.get(kind, "num_bins")] = main
    if kind == "float_discretized":
        args.setdefault("num_bins", fs_args.get("num_discretization_bins", 32))
    if kind in ("integer_hashed", "string_hashed"):
        args.setdefault("num_bins", fs_args.get("hashing_dim", 32))
    return getattr(FeatureSpace, kind)(**args, name=name), kind, fill


MAIN = {"Dense": "units", "Dropout": "rate", "GRU": "units", "LSTM": "units", "SimpleRNN": "units"}


def layer_args(layer):
    name, args = obj(layer)
    args = dict(args)
    if "__main__" in args:
        args[MAIN[name]] = args.pop("__main__")
    return name, args


def build_model(m, encoded):
    """The spec's sequential or functional model, with Keras layers of the same names."""
    if m.get("type") != "functional":
        model = keras.Sequential([keras.Input(shape=(encoded.shape[1],))])
        for layer in m["layers"]:
            name, args = layer_args(layer)
            model.add(getattr(keras.layers, name)(**args))
        return model
    tensors = {}
    for i in m["inputs"]:
        _, args = obj(i)
        tensors[args["name"]] = keras.Input(shape=tuple(args["shape"]), name=args["name"])
    for layer in m["layers"]:
        name, args = layer_args(layer)
        inputs = args.pop("inputs")
        x = [tensors[n] for n in inputs] if isinstance(inputs, list) else tensors[inputs]
        tensors[args["name"]] = getattr(keras.layers, name)(**args)(x)
    return keras.Model([tensors[obj(i)[1]["name"]] for i in m["inputs"]], [tensors[o] for o in m["outputs"]])


def main():
    spec_path = sys.argv[1]
    seeds = [int(s) for s in sys.argv[2:]] or [1, 2, 3, 4, 5]
    spec = yaml.safe_load(open(spec_path))
    folder = os.path.dirname(os.path.abspath(spec_path))
    src = spec["data"]["train"]
    na = set(src.get("na_values", []))
    rows = list(csv.DictReader(open(os.path.join(folder, src["path"]), newline="", encoding="utf-8-sig")))
    target = src["target"]
    labeled = [i for i, r in enumerate(rows) if r[target].strip() not in na]
    fs_spec = spec["data"]["preprocess"]["feature_space"]
    test_spec = spec["data"]["test"]
    fraction = test_spec.get("split")
    if fraction is None:  # a separate test file: its rows follow the train file's
        test_rows = list(csv.DictReader(open(os.path.join(folder, test_spec["path"]), newline="", encoding="utf-8-sig")))
        first_test = len(rows)
        rows = rows + test_rows
        test_labeled = [first_test + i for i, r in enumerate(test_rows) if r[target].strip() not in na]
    fit = spec.get("fit", {})
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        train, test = test_split(labeled, fraction, seed) if fraction is not None else (labeled, test_labeled)
        feats, kinds, fills = {}, {}, {}
        for name, o in fs_spec["features"].items():
            feats[name], kinds[name], fills[name] = feature(name, o, fs_spec)
        crosses = [FeatureSpace.cross(c["features"], crossing_dim=c.get("crossing_dim", fs_spec.get("crossing_dim", 32)),
                                      output_mode=c.get("output_mode", "one_hot")) if isinstance(c, dict) else c
                   for c in fs_spec.get("crosses", [])]
        space = FeatureSpace(features=feats, crosses=crosses, output_mode=fs_spec.get("output_mode", "concat"))

        def cells(name, idx):
            return [rows[i][name].strip() for i in idx]
        fill_values = {}
        for name, kind in kinds.items():
            if kind.startswith("float"):
                present = [float(v) for v in cells(name, train) if v not in na]
                how = fills[name]
                fill_values[name] = {"mean": np.mean(present) if present else 0, "median": np.median(present) if present else 0,
                                     "zero": 0.0, None: 0.0}.get(how, how)

        def columns(idx):
            out = {}
            for name, kind in kinds.items():
                vals = cells(name, idx)
                if kind == "text":
                    out[name] = np.array([rows[i][name] if rows[i][name].strip() not in na else "" for i in idx])
                elif kind.startswith("float"):
                    out[name] = np.array([float(v) if v not in na else fill_values[name] for v in vals], dtype="float32")
                elif kind.startswith("integer"):
                    out[name] = np.array([int(float(v)) if v not in na else -1 for v in vals], dtype="int32")
                else:
                    out[name] = np.array([v if v not in na else "" for v in vals])
            return out
        xtr, xte = columns(train), columns(test)
        space.adapt(tf.data.Dataset.from_tensor_slices(xtr))
        for name, kind in kinds.items():  # lookups: adapted on the present values only
            if kind.endswith("categorical") and any(v in na for v in cells(name, train)):
                present = np.array([v for v, raw in zip(xtr[name], cells(name, train)) if raw not in na])
                space.preprocessors[name].adapt(tf.data.Dataset.from_tensor_slices(present).batch(32).map(lambda x: tf.expand_dims(x, -1)))
                if name in space.one_hot_encoders:
                    space.one_hot_encoders[name] = keras.layers.CategoryEncoding(
                        num_tokens=space.preprocessors[name].vocabulary_size(), output_mode="multi_hot")
        ytr_raw, yte_raw = cells(target, train), cells(target, test)
        try:
            ytr, yte = np.array(ytr_raw, dtype="float32"), np.array(yte_raw, dtype="float32")
        except ValueError:
            classes = sorted(set(cells(target, labeled + test)))
            ytr = np.array([classes.index(v) for v in ytr_raw]); yte = np.array([classes.index(v) for v in yte_raw])
        def encode(x):
            out = space(x)
            return {k: np.array(v) for k, v in out.items()} if isinstance(out, dict) else np.array(out)
        enc_tr, enc_te = encode(xtr), encode(xte)
        model = build_model(spec["model"], enc_tr)
        comp = spec["compile"]
        oname, oargs = obj(comp["optimizer"])
        opt = keras.optimizers.get(oname) if not oargs else getattr(keras.optimizers, oname)(**oargs)
        model.compile(optimizer=opt, loss=comp["loss"], metrics=comp.get("metrics", []))
        model.fit(enc_tr, ytr, epochs=fit.get("epochs", 1), batch_size=fit.get("batch_size", 32), verbose=0)
        logs = model.evaluate(enc_te, yte, batch_size=fit.get("batch_size", 32), verbose=0, return_dict=True)
        print(f"{spec_path} seed {seed}: " + " ".join(f"test_{k} {v:.4f}" for k, v in sorted(logs.items())), flush=True)


if __name__ == "__main__":
    main()

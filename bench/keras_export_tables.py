"""`kerasctl export` of feature_space models, read back by real Keras (run from the repository root).

    .venv-keras/bin/python bench/keras_export_tables.py [--epochs N] [--rows N] SPEC...

For each spec: `kerasctl train SPEC` (briefly), `kerasctl export` to a .keras file,
`kerasctl predict --probabilities` on raw rows of the spec's training table, then
`keras.saving.load_model` on the export and `model.predict` on the same rows as Keras
users hand them over: a dict of column arrays, shape (n, 1), strings included. The two
must agree within 1e-4 (relative to the value when it is above 1, as a body mass in grams).
Exits 1 on any difference (`make export-check`, run by .ci/run).

Rows in Keras's form (docs/SPEC-NOTES.md "Export of a feature_space model"): a missing
number (the source's `na_values`) is NaN, which the exported `where(isnan(x), fill, x)`
fills as kerasctl does; a missing string is ""; string cells are trimmed of spaces and
tabs as kerasctl reads them, except text features' (as written); integer cells are read as
whole numbers.
"""
import csv, math, os, subprocess, sys, tempfile
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, yaml

BIN = os.environ.get("KERASCTL_BIN", ".build/release/kerasctl")


def run(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"kerasctl {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def spec_table(spec_path):
    """The training table's path, na_values and the text feature names of a feature_space spec."""
    spec = yaml.safe_load(open(spec_path))
    train = spec["data"]["train"]
    features = spec["data"]["preprocess"]["feature_space"]["features"]
    texts = {n for n, f in features.items() if (f == "text" or (isinstance(f, dict) and "text" in f))}
    path = os.path.join(os.path.dirname(spec_path), train["path"])
    return path, [str(v).strip() for v in train.get("na_values", [])], texts


def keras_inputs(model, rows_path, na_values, texts):
    """The rows of a CSV as the exported model's inputs: {column: array of shape (n, 1)}."""
    import tensorflow as tf
    with open(rows_path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for t in model.inputs:
        name, dtype = t.name, str(t.dtype)
        cells = [r[name] for r in rows]
        trimmed = [c.strip(" \t") for c in cells]
        missing = [c in na_values for c in trimmed]
        if dtype == "string":
            values = [("" if m else (c if name in texts else s)) for c, s, m in zip(cells, trimmed, missing)]
            out[name] = tf.constant(np.array(values, dtype=object).reshape(-1, 1), dtype=tf.string)
        elif dtype.startswith("int"):
            if any(missing):
                sys.exit(f"{rows_path}: column '{name}' has a missing integer, which a Keras int input cannot hold")
            out[name] = np.array([int(float(s)) for s in trimmed], dtype=dtype).reshape(-1, 1)
        else:
            out[name] = np.array([math.nan if m else float(s) for s, m in zip(trimmed, missing)], dtype="float32").reshape(-1, 1)
    return out, len(rows)


def keras_predict(keras_file, rows_path, na_values, texts):
    import keras
    model = keras.saving.load_model(keras_file)
    inputs, n = keras_inputs(model, rows_path, na_values, texts)
    y = model.predict(inputs, verbose=0)
    ys = y if isinstance(y, list) else [y]
    return np.concatenate([np.asarray(a, dtype="float64").reshape(n, -1) for a in ys], axis=1)


def kerasctl_predict(model_dir, rows_path):
    text = run("predict", model_dir, "--input", rows_path, "--probabilities")
    return np.array([[float(v) for v in line.split(",")] for line in text.strip().split("\n")], dtype="float64")


def difference(a, b):
    if a.shape != b.shape:
        return math.inf
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))) if a.size else 0.0


def check(spec_path, epochs, nrows, work):
    table, na_values, texts = spec_table(spec_path)
    base = os.path.splitext(os.path.basename(spec_path))[0]
    model_dir, keras_file = os.path.join(work, base), os.path.join(work, base + ".keras")
    run("train", spec_path, "-o", model_dir, "--quiet", *(["--epochs", str(epochs)] if epochs else []))
    run("export", model_dir, keras_file)
    rows = os.path.join(work, base + "_rows.csv")
    with open(table, newline="", encoding="utf-8-sig") as f, open(rows, "w", newline="", encoding="utf-8") as o:
        for i, line in enumerate(csv.reader(f)):
            if i > nrows: break
            csv.writer(o, lineterminator="\n").writerow(line)
    ours, theirs = kerasctl_predict(model_dir, rows), keras_predict(keras_file, rows, na_values, texts)
    d = difference(ours, theirs)
    ok = d <= 1e-4
    print(f"{spec_path}: {theirs.shape[0]} rows x {theirs.shape[1]} outputs, largest difference {d:.2e} "
          f"{'<=' if ok else '>'} 1e-4 {'ok' if ok else 'FAILED'}")
    return ok


def main(argv):
    epochs, nrows, specs = 2, 64, []
    it = iter(argv)
    for a in it:
        if a == "--epochs": epochs = int(next(it))
        elif a == "--rows": nrows = int(next(it))
        else: specs.append(a)
    if not specs:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="kerasctl-fs-export-")
    results = [check(s, epochs, nrows, work) for s in specs]
    if not all(results):
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Reference FeatureSpace outputs from real Keras for FeatureSpaceKerasTests.

Run with the Keras venv from the repository root:
    /work/venv-keras/bin/python Tests/KerasDataTests/Fixtures/featurespace/make_fixture.py
It writes, beside itself:
  table.csv     datasets/penguins.csv with two more columns ("year h", "island h", copies
                of year and island under names with a space, for the hashed types)
  spec.json     the feature space (what kerasctl reads from YAML)
  keras.json    adapted state: vocabularies, normalization mean/variance, bin boundaries
  encoded.csv   FeatureSpace(table) for every row: dict mode, the outputs side by side in
                Keras's order (kerasctl's dict outputs are these columns, its concat the same
                row when every output is encoded)

Missing values (NA): kerasctl adapts a feature on its present values only. Here numeric
columns are filled as kerasctl's `fill` says (mean/median/zero over the present values),
and `sex` is adapted on its present values (StringLookup.adapt on them) and encoded with
"" for NA, which is out of vocabulary: OOV index 0, kerasctl's rule for a missing category.
"""
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import csv
import numpy as np, tensorflow as tf, keras
from keras.utils import FeatureSpace
from keras.src.layers.preprocessing import discretization

# Discretization.adapt merges each batch's quantile summary into the previous one after
# `np.argsort(merged[0])`, NumPy's default sort, which is not stable: the order of equal
# values (a new batch's weight-1 entries and the running summary's compressed weights) is
# whatever NumPy's sort implementation gives, and it moves the boundaries. kerasctl keeps
# equal values in a fixed order (the new batch's first, as concatenated); Keras's own merge
# with a stable sort is the reference here.
def _merge_summaries_stable(prev_summary, next_summary, epsilon):
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0], kind="stable"), axis=1)
    return discretization.compress_summary(merged, epsilon)
discretization.merge_summaries = _merge_summaries_stable

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "../../../.."))
rows = list(csv.DictReader(open(os.path.join(root, "datasets/penguins.csv"), newline="")))
for r in rows:
    r["year h"], r["island h"] = r["year"], r["island"]
with open(os.path.join(here, "table.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)

def column(name):
    return [r[name] for r in rows]

fills = {"bill_length_mm": "mean", "bill_depth_mm": "median", "flipper_length_mm": "mean", "body_mass_g": "zero"}
filled = {}
for col, how in fills.items():
    present = np.array([float(v) for v in column(col) if v != "NA"], dtype="float64")
    value = {"mean": present.mean(), "median": np.median(present), "zero": 0.0}[how]
    filled[col] = np.array([float(v) if v != "NA" else value for v in column(col)]).astype("float32")

fs = FeatureSpace(
    features={
        "island": FeatureSpace.string_categorical(num_oov_indices=2, max_tokens=4),
        "sex": "string_categorical",
        "bill_length_mm": "float_normalized",
        "bill_depth_mm": FeatureSpace.float_rescaled(scale=0.1, offset=-1.0),
        "flipper_length_mm": FeatureSpace.float_discretized(num_bins=8),
        "body_mass_g": "float",
        "year": "integer_categorical",
        "year h": FeatureSpace.integer_hashed(num_bins=8),
        "island h": FeatureSpace.string_hashed(num_bins=16),
    },
    crosses=[FeatureSpace.cross(("island", "sex"), crossing_dim=16), FeatureSpace.cross(("year", "island h"), crossing_dim=8, output_mode="int")],
    output_mode="dict",
)
data = {
    "island": np.array(column("island")),
    "sex": np.array(["" if v == "NA" else v for v in column("sex")]),
    "year h": np.array(column("year h"), dtype="int32"),
    "island h": np.array(column("island h")),
    "year": np.array(column("year"), dtype="int32"),
}
data.update(filled)
fs.adapt(tf.data.Dataset.from_tensor_slices(data))
# sex: adapted on its present values only (kerasctl's rule), as FeatureSpace.adapt batches them.
present_sex = np.array([v for v in column("sex") if v != "NA"])
fs.preprocessors["sex"].adapt(tf.data.Dataset.from_tensor_slices(present_sex).batch(32).map(lambda x: tf.expand_dims(x, -1)))
# ... and its one-hot encoder sized by that vocabulary, as FeatureSpace.adapt sizes it.
fs.one_hot_encoders["sex"] = keras.layers.CategoryEncoding(num_tokens=fs.preprocessors["sex"].vocabulary_size(), output_mode="multi_hot")
out = fs(data)  # dict mode (an int cross cannot be concatenated), in Keras's order:
names = list(out.keys())  # sorted feature names, then sorted cross names
assert names == sorted(fs.features) + sorted(c.name for c in fs.crosses), names
encoded = np.concatenate([np.array(out[k]).astype("float32").reshape(len(rows), -1) for k in names], axis=1)

spec = {
    "features": {
        "island": {"string_categorical": {"num_oov_indices": 2, "max_tokens": 4}},
        "sex": "string_categorical",
        "bill_length_mm": {"float_normalized": {"fill": "mean"}},
        "bill_depth_mm": {"float_rescaled": {"scale": 0.1, "offset": -1.0, "fill": "median"}},
        "flipper_length_mm": {"float_discretized": {"num_bins": 8, "fill": "mean"}},
        "body_mass_g": {"float": {"fill": "zero"}},
        "year": "integer_categorical",
        "year h": {"integer_hashed": {"num_bins": 8}},
        "island h": {"string_hashed": {"num_bins": 16}},
    },
    "crosses": [{"features": ["island", "sex"], "crossing_dim": 16}, {"features": ["year", "island h"], "crossing_dim": 8, "output_mode": "int"}],
}
norm = fs.preprocessors["bill_length_mm"]
state = {
    "island": [str(t) for t in fs.preprocessors["island"].get_vocabulary()],
    "sex": [str(t) for t in fs.preprocessors["sex"].get_vocabulary()],
    "year": [int(t) if not isinstance(t, str) else t for t in fs.preprocessors["year"].get_vocabulary()],
    "bill_length_mm": {"mean": float(np.array(norm.mean).ravel()[0]), "variance": float(np.array(norm.variance).ravel()[0])},
    "flipper_length_mm": [float(b) for b in fs.preprocessors["flipper_length_mm"].bin_boundaries],
    "width": int(encoded.shape[1]),
    "outputs": {k: int(np.array(out[k]).reshape(len(rows), -1).shape[1]) for k in names},
    "keras": keras.__version__,
}
json.dump(spec, open(os.path.join(here, "spec.json"), "w"), indent=1)
json.dump(state, open(os.path.join(here, "keras.json"), "w"), indent=1)
np.savetxt(os.path.join(here, "encoded.csv"), encoded, delimiter=",", fmt="%.9g")
print(encoded.shape, state)

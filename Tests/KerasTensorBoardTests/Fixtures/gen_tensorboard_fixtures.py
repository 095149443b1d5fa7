"""Reference bytes and numbers from real TensorFlow / TensorBoard for KerasTensorBoardTests.

Run with the Keras venv (tensorflow-cpu, tensorboard):
    /work/venv-keras/bin/python gen_tensorboard_fixtures.py
Writes tensorboard_reference.json beside this script.
"""
import json, os, tempfile
import numpy as np
import tensorflow as tf
from tensorboard.plugins.histogram import summary_v2 as hist

here = os.path.dirname(os.path.abspath(__file__))
out = {}

# TFRecord framing: the file tf.io.TFRecordWriter writes for a few records.
records = [b"", b"kerasctl", bytes(range(256)) * 3]
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "r.tfrecord")
    with tf.io.TFRecordWriter(p) as w:
        for r in records:
            w.write(r)
    out["tfrecord"] = {"records_hex": [r.hex() for r in records], "file_hex": open(p, "rb").read().hex()}

# Histogram buckets (tf.summary.histogram's _buckets, 30 buckets by default).
rng = np.random.default_rng(7)
cases = {
    "normal": rng.normal(0.0, 0.05, size=(20, 7)).astype(np.float32),
    "uniform": rng.uniform(-1, 1, size=(333,)).astype(np.float32),
    "single": np.full((5,), 0.25, dtype=np.float32),
    "empty": np.zeros((0,), dtype=np.float32),
}
out["histograms"] = {}
for name, data in cases.items():
    b = hist._buckets(tf.constant(data), bucket_count=30).numpy()
    out["histograms"][name] = {"data": data.reshape(-1).tolist(), "buckets": b.tolist()}

with open(os.path.join(here, "tensorboard_reference.json"), "w") as f:
    json.dump(out, f)
print("wrote tensorboard_reference.json", {k: len(v) for k, v in out.items()})

"""Reads a TensorBoard log folder back with TensorBoard's own EventAccumulator and prints
what it found as JSON: for each run (train, validation), each tensor tag's plugin and its
(step, value) events — scalars as numbers, histograms as their [k, 3] bucket lists, string
tensors (the Keras model JSON) as text.

    python read_events.py LOG_DIR
Used by KerasTensorBoardTests (skipped where `import tensorboard` fails).
"""
import json, os, sys, types

# Read as TensorBoard does without TensorFlow (its own tensorflow_stub): importing TensorFlow
# takes many seconds and is not what reads the files.
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, TENSORS
from tensorboard.util import tensor_util

log_dir = sys.argv[1]
out = {}
for run in sorted(os.listdir(log_dir)):
    acc = EventAccumulator(os.path.join(log_dir, run), size_guidance={TENSORS: 0})
    acc.Reload()
    tags = {}
    for tag in acc.Tags()["tensors"]:
        plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
        events = []
        for e in acc.Tensors(tag):
            v = tensor_util.make_ndarray(e.tensor_proto)
            if v.dtype.kind in "SO":
                value = v.item().decode("utf-8") if v.ndim == 0 else [x.decode("utf-8") for x in v.reshape(-1)]
            else:
                value = v.tolist() if v.ndim else float(v)
            events.append([e.step, value])
        tags[tag] = {"plugin": plugin, "events": events}
    out[run] = tags
print(json.dumps(out))

"""Reference safetensors files written by the `safetensors` Python package (0.8.0).

reference.safetensors: four F32 tensors whose names are in sorted order (the Python
writer orders data by name; kerasctl keeps the caller's order, so with sorted names both
files must be byte-identical), including a scalar and an empty tensor, plus metadata with
one key. f16.safetensors: a float16 tensor, which kerasctl must refuse clearly.
"""
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
save_file({
    "dense/bias": np.array([1.5, -2.0], dtype=np.float32),
    "dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
    "s": np.array(3.0, dtype=np.float32),
    "zz": np.zeros((0, 4), np.float32),
}, os.path.join(HERE, "reference.safetensors"), metadata={"format": "kerasctl"})
save_file({"h": np.ones((2,), np.float16)}, os.path.join(HERE, "f16.safetensors"))

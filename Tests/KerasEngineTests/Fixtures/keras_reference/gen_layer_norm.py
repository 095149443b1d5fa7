#!/usr/bin/env python3
"""Keras 3 LayerNormalization in full: axis lists (trailing, leading, non-contiguous),
center/scale off, rms_scaling — fixed weights, output and gradients."""
from _common import case_rng, counted_cases, fixed, keras, write

Ly = keras.layers


def x_(name, shape):
    return fixed(case_rng("input:" + name), shape, 1.0) * 2.0 + 0.5


X3 = x_("x3", (2, 4, 5))
X4 = x_("x4", (2, 3, 4, 5))

SPECS = [
    ("ln_axis_1", lambda: Ly.LayerNormalization(axis=1), X3),
    ("ln_axis_1_3", lambda: Ly.LayerNormalization(axis=[1, 3]), X4),
    ("ln_axis_2_neg", lambda: Ly.LayerNormalization(axis=[-3, -2]), X4),
    ("ln_no_center", lambda: Ly.LayerNormalization(center=False), X3),
    ("ln_no_scale_no_center", lambda: Ly.LayerNormalization(scale=False, center=False, epsilon=1e-5), X3),
    ("ln_rms", lambda: Ly.LayerNormalization(rms_scaling=True), X3),
    ("ln_rms_axes_1_2", lambda: Ly.LayerNormalization(axis=[1, 2], rms_scaling=True, epsilon=1e-6), X3),
    ("ln_rms_axis_1", lambda: Ly.LayerNormalization(axis=1, rms_scaling=True), X4),
]

if __name__ == "__main__":
    write("layer_norm", counted_cases(SPECS))

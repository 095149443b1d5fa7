#!/usr/bin/env python3
"""Keras 3 activation functions: output and d(sum(output * w))/dx on a fixed 3x5 input."""
import inspect

from _common import arr, np, keras, tf, write

X = np.array([[-6.0, -3.0, -1.0, -0.5, -1e-3],
              [0.0, 1e-3, 0.5, 1.0, 2.5],
              [3.0, 6.0, 10.0, -10.0, 0.2]], dtype=np.float32)
W = np.array([[0.5, -1.0, 1.5, 2.0, -0.25],
              [1.0, 0.75, -0.5, 0.3, 1.25],
              [-1.5, 0.6, 0.9, -0.8, 2.0]], dtype=np.float32)

A = keras.activations
# (case name, keras function name, kwargs, input slice)
SPECS = [
    ("relu", "relu", {}),
    ("relu_negative_slope_0.1", "relu", {"negative_slope": 0.1}),
    ("relu_max_value_6", "relu", {"max_value": 6.0}),
    ("relu_threshold_0.5", "relu", {"threshold": 0.5}),
    ("relu_all_args", "relu", {"negative_slope": 0.1, "max_value": 5.0, "threshold": 0.5}),
    ("leaky_relu", "leaky_relu", {}),
    ("leaky_relu_0.01", "leaky_relu", {"negative_slope": 0.01}),
    ("relu6", "relu6", {}),
    ("elu", "elu", {}),
    ("elu_alpha_0.5", "elu", {"alpha": 0.5}),
    ("selu", "selu", {}),
    ("celu", "celu", {}),
    ("gelu_default", "gelu", {}),  # default approximate=False (erf form)
    ("gelu_approximate_false", "gelu", {"approximate": False}),
    ("gelu_approximate_true", "gelu", {"approximate": True}),
    ("silu", "silu", {}),
    ("swish", "swish", {}),  # alias of silu
    ("mish", "mish", {}),
    ("softplus", "softplus", {}),
    ("softsign", "softsign", {}),
    ("tanh", "tanh", {}),
    ("sigmoid", "sigmoid", {}),
    ("hard_sigmoid", "hard_sigmoid", {}),
    ("hard_silu", "hard_silu", {}),
    ("hard_swish", "hard_swish", {}),  # alias of hard_silu
    ("hard_tanh", "hard_tanh", {}),
    ("hard_shrink", "hard_shrink", {}),
    ("soft_shrink", "soft_shrink", {}),
    ("tanh_shrink", "tanh_shrink", {}),
    ("log_sigmoid", "log_sigmoid", {}),
    ("sparse_plus", "sparse_plus", {}),
    ("sparse_sigmoid", "sparse_sigmoid", {}),
    ("squareplus", "squareplus", {}),
    ("threshold_1_-5", "threshold", {"threshold": 1.0, "default_value": -5.0}),
    ("exponential", "exponential", {}),
    ("linear", "linear", {}),
    ("softmax", "softmax", {}),
    ("softmax_axis_0", "softmax", {"axis": 0}),
    ("log_softmax", "log_softmax", {}),
    ("sparsemax", "sparsemax", {}),
]

cases = []
for case, fname, kw in SPECS:
    fn = A.get(fname)
    x = tf.constant(X)
    w = tf.constant(W)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, **kw)
        s = tf.reduce_sum(y * w)
    g = tape.gradient(s, x)
    sig = {k: (None if v.default is inspect.Parameter.empty else v.default)
           for k, v in inspect.signature(fn).parameters.items() if k != "x"}
    cases.append({"name": case, "function": fname, "resolved": fn.__name__,
                  "kwargs": kw, "signature_defaults": sig,
                  "input": arr(x), "w": arr(w), "output": arr(y), "grad_input": arr(g)})

# glu needs an even split axis: use the first 4 columns.
x = tf.constant(X[:, :4]); w = tf.constant(W[:, :2])
with tf.GradientTape() as tape:
    tape.watch(x)
    y = A.glu(x)
    s = tf.reduce_sum(y * w)
cases.append({"name": "glu", "function": "glu", "resolved": "glu", "kwargs": {},
              "signature_defaults": {"axis": -1},
              "input": arr(x), "w": arr(w), "output": arr(y), "grad_input": arr(tape.gradient(s, x))})

write("activations", cases,
      note="grad_input = d(sum(output * w))/d(input), via tf.GradientTape")

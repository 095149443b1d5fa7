#!/usr/bin/env python3
"""Keras 3 regularizers: penalty value and its gradient for fixed weights; plus optimizer
steps with gradient_accumulation_steps (the optimizers.json generator's layout)."""
from _common import arr, clean_config, np, keras, tf, write

R = keras.regularizers
rng = np.random.default_rng(3)
X = (rng.standard_normal((4, 3)) * 0.7).astype(np.float32)
X[1, 2] = 0.0

SPECS = [
    ("l1_default", "l1", {}),
    ("l2_default", "l2", {}),
    ("l1_l2_default", "l1_l2", {}),
    ("L1", "L1", {"l1": 0.3}),
    ("L2", "L2", {"l2": 0.2}),
    ("L1L2", "L1L2", {"l1": 0.1, "l2": 0.05}),
    ("orthogonal_rows", "OrthogonalRegularizer", {"factor": 0.5}),
    ("orthogonal_columns", "OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
]

cases = []
for case, name, kw in SPECS:
    reg = getattr(R, name)(**kw)  # the exported class or alias, as called from Python
    x = tf.Variable(X)
    with tf.GradientTape() as tape:
        v = reg(x)
    g = tape.gradient(v, x, unconnected_gradients="zero")
    cases.append({"name": case, "class": name, "kwargs": kw, "config": clean_config(reg.get_config()),
                  "x": arr(X), "value": float(v), "gradient": arr(g)})

# Gradient accumulation (every 2nd call applies the mean gradient).
O = keras.optimizers
V0 = [np.array([[0.5, -1.0], [1.5, 2.0]], np.float32)]
GRADS = [[np.array([[0.1, -0.2], [0.3, 0.0]], np.float32)], [np.array([[-0.3, 0.1], [0.2, 0.4]], np.float32)],
         [np.array([[0.05, 0.05], [-0.4, 1.5]], np.float32)], [np.array([[0.2, -0.1], [0.0, -0.5]], np.float32)]]
acc_cases = []
for case, cls, kw in [("adam_accumulate_2", "Adam", {"learning_rate": 0.1, "gradient_accumulation_steps": 2}),
                      ("sgd_momentum_accumulate_2_wd", "SGD",
                       {"learning_rate": 0.1, "momentum": 0.5, "gradient_accumulation_steps": 2, "weight_decay": 0.1})]:
    opt = getattr(O, cls)(**kw)
    vs = [keras.Variable(v.copy(), name=f"v{i}") for i, v in enumerate(V0)]
    opt.build(vs)
    steps = []
    for grads in GRADS:
        opt.apply_gradients(zip([tf.constant(g) for g in grads], vs))
        steps.append({"variables": [arr(v.numpy()) for v in vs]})
    acc_cases.append({"name": case, "class": cls, "kwargs": kw, "initial_variables": [arr(v) for v in V0],
                      "gradients": [[arr(g) for g in gs] for gs in GRADS], "steps": steps})

write("optim_regularizers", cases, accumulation=acc_cases,
      note="value = regularizer(x); gradient = d value / d x. accumulation: optimizer steps as optimizers.json")

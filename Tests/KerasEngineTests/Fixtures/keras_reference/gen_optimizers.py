#!/usr/bin/env python3
"""Keras 3 optimizers: two variables (shapes [2,3] and [3]) updated with three fixed gradient
pairs via opt.apply_gradients; variable values (and optimizer slot variables) after each step."""
from _common import arr, clean_config, jsonable, np, keras, tf, write

O = keras.optimizers
f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731

V0 = [f32([[0.5, -1.0, 1.5], [2.0, -0.3, 0.0]]), f32([0.1, -0.2, 0.3])]
GRADS = [
    [f32([[0.1, -0.2, 0.3], [0.0, 0.5, -1.0]]), f32([1.0, 0.0, -0.5])],
    [f32([[-0.3, 0.1, 0.2], [0.4, -0.6, 0.05]]), f32([0.25, -0.75, 0.5])],
    [f32([[0.05, 0.05, -0.4], [1.5, 0.2, 0.0]]), f32([-0.1, 0.3, 2.0])],
]

# (case name, class name, kwargs)
SPECS = [
    ("sgd", "SGD", {}),
    ("sgd_lr_0.1", "SGD", {"learning_rate": 0.1}),
    ("sgd_momentum_0.9", "SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd_momentum_0.9_nesterov", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay_0.1", "SGD", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("sgd_clipnorm_0.1", "SGD", {"learning_rate": 0.1, "clipnorm": 0.1}),
    ("sgd_clipvalue_0.05", "SGD", {"learning_rate": 0.1, "clipvalue": 0.05}),
    ("sgd_global_clipnorm_0.1", "SGD", {"learning_rate": 0.1, "global_clipnorm": 0.1}),
    ("rmsprop", "RMSprop", {}),
    ("rmsprop_momentum_0.5", "RMSprop", {"momentum": 0.5}),
    ("rmsprop_centered", "RMSprop", {"centered": True}),
    ("adam", "Adam", {}),
    ("adam_lr_0.1", "Adam", {"learning_rate": 0.1}),
    ("adam_amsgrad", "Adam", {"amsgrad": True}),
    ("adam_clipnorm_0.1", "Adam", {"clipnorm": 0.1}),
    ("adam_clipvalue_0.05", "Adam", {"clipvalue": 0.05}),
    ("adam_global_clipnorm_0.1", "Adam", {"global_clipnorm": 0.1}),
    ("adam_weight_decay_0.1", "Adam", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("adamw", "AdamW", {}),
    ("adamw_lr_0.1_wd_0.1", "AdamW", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("adagrad", "Adagrad", {}),
    ("adagrad_lr_0.1", "Adagrad", {"learning_rate": 0.1}),
    ("adadelta", "Adadelta", {}),
    ("adadelta_lr_1.0", "Adadelta", {"learning_rate": 1.0}),
    ("adamax", "Adamax", {}),
    ("nadam", "Nadam", {}),
    ("lion", "Lion", {}),
    ("lion_lr_0.01", "Lion", {"learning_rate": 0.01}),
    ("ftrl", "Ftrl", {"learning_rate": 0.1}),
    ("lamb", "Lamb", {"learning_rate": 0.01}),
    ("adafactor", "Adafactor", {"learning_rate": 0.01}),
    ("sgd_exponential_decay_schedule", "SGD",
     {"learning_rate": {"class": "ExponentialDecay",
                        "args": {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}}}),
]


def build(cls_name, kw):
    kw = dict(kw)
    lr = kw.get("learning_rate")
    if isinstance(lr, dict):
        kw["learning_rate"] = getattr(O.schedules, lr["class"])(**lr["args"])
    return getattr(O, cls_name)(**kw)


cases = []
for case, cls_name, kw in SPECS:
    opt = build(cls_name, kw)
    default_cfg = clean_config(getattr(O, cls_name)().get_config())
    vs = [keras.Variable(v.copy(), name=f"v{i}") for i, v in enumerate(V0)]
    opt.build(vs)
    steps = []
    for grads in GRADS:
        opt.apply_gradients(zip([tf.constant(g) for g in grads], vs))
        slots = {}
        for ov in opt.variables:
            key = ov.path.split("/", 1)[-1]  # drop the auto-numbered optimizer name prefix
            slots[key] = arr(np.asarray(ov.numpy(), dtype=np.float32)) if ov.dtype.startswith("float") \
                else arr(np.asarray(ov.numpy()).astype(np.int32))
        steps.append({"variables": [arr(v.numpy()) for v in vs], "optimizer_variables": slots})
    cfg = clean_config(opt.get_config())
    cases.append({"name": case, "class": cls_name, "kwargs": jsonable(kw), "config": cfg,
                  "default_config": default_cfg,
                  "initial_variables": [arr(v) for v in V0],
                  "gradients": [[arr(g) for g in gs] for gs in GRADS],
                  "steps": steps})

write("optimizers", cases,
      note="for each step k, opt.apply_gradients(zip(gradients[k], vars)); steps[k].variables are the "
           "values after that call. optimizer_variables are keyed by Keras variable path "
           "without the optimizer-name prefix (iteration counter, learning_rate, per-variable slots "
           "named <varname>_<slot>, vars are named v0, v1).")

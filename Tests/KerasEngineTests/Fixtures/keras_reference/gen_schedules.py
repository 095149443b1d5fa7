#!/usr/bin/env python3
"""Keras 3 learning-rate schedules: config and value at fixed steps."""
from _common import clean_config, np, keras, write

S = keras.optimizers.schedules
STEPS = [0, 1, 5, 10, 50, 99, 100, 101, 250, 1000]

SPECS = [
    ("exponential_decay", "ExponentialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.5}),
    ("exponential_decay_staircase", "ExponentialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.5, "staircase": True}),
    ("piecewise_constant_decay", "PiecewiseConstantDecay",
     {"boundaries": [10, 100, 250], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("polynomial_decay_power_1", "PolynomialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "end_learning_rate": 0.01, "power": 1.0}),
    ("polynomial_decay_power_2", "PolynomialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "end_learning_rate": 0.01, "power": 2.0}),
    ("polynomial_decay_power_1_cycle", "PolynomialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "end_learning_rate": 0.01, "power": 1.0,
      "cycle": True}),
    ("polynomial_decay_power_2_cycle", "PolynomialDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "end_learning_rate": 0.01, "power": 2.0,
      "cycle": True}),
    ("inverse_time_decay", "InverseTimeDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    ("inverse_time_decay_staircase", "InverseTimeDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True}),
    ("cosine_decay", "CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    ("cosine_decay_alpha_0.1", "CosineDecay",
     {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.1}),
    ("cosine_decay_warmup", "CosineDecay",
     {"initial_learning_rate": 0.0, "decay_steps": 100, "alpha": 0.1,
      "warmup_target": 0.1, "warmup_steps": 10}),
    ("cosine_decay_restarts", "CosineDecayRestarts",
     {"initial_learning_rate": 0.1, "first_decay_steps": 20}),
    ("cosine_decay_restarts_tmul1_mmul0.5_alpha0.1", "CosineDecayRestarts",
     {"initial_learning_rate": 0.1, "first_decay_steps": 20, "t_mul": 1.0, "m_mul": 0.5,
      "alpha": 0.1}),
]

cases = []
for case, cls_name, kw in SPECS:
    sch = getattr(S, cls_name)(**kw)
    vals = [float(np.asarray(sch(s), dtype=np.float32)) for s in STEPS]
    cases.append({"name": case, "class": cls_name, "kwargs": kw,
                  "config": clean_config(sch.get_config()),
                  "steps": STEPS, "values": vals})

write("schedules", cases, note="values[i] = float32(schedule(steps[i]))")

#!/usr/bin/env python3
"""Keras 3 loss classes: scalar loss (default reduction sum_over_batch_size), per-sample
loss (reduction=None) and d(loss)/d(y_pred), on a batch of 4 examples x 3 outputs."""
from _common import arr, clean_config, np, keras, tf, write

L = keras.losses
rng = np.random.default_rng(1234)
f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731

# regression targets / predictions (any sign)
REG_T = f32([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-2.0, 3.0, 1.0], [0.25, 0.75, -1.25]])
REG_P = f32([[0.7, -0.2, 1.0], [1.0, 0.4, -0.6], [-1.0, 2.0, 3.5], [0.3, -0.75, -1.0]])
REG_T_NZ = REG_T.copy(); REG_T_NZ[1, 1] = 0.1  # no zero target (MAPE divides by |y_true|)
# strictly positive (msle, poisson, kl, mape-friendly)
POS_T = f32([[0.5, 1.0, 2.0], [1.5, 0.2, 0.5], [2.0, 3.0, 1.0], [0.25, 0.75, 1.25]])
POS_P = f32([[0.7, 0.2, 1.0], [1.0, 0.4, 0.6], [1.0, 2.0, 3.5], [0.3, 0.75, 1.0]])
# distributions (rows sum to 1)
DIST_T = f32([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3]])
DIST_P = f32([[0.1, 0.6, 0.3], [0.3, 0.2, 0.5], [0.5, 0.25, 0.25], [0.7, 0.2, 0.1]])
# hinge labels in {-1, 1} and {0, 1}; hinge predictions are raw scores
PM1 = f32([[1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, 1]])
ZO = (PM1 > 0).astype(np.float32)
SCORES = f32([[0.3, -0.8, 1.5], [0.6, -0.1, 0.2], [2.0, -0.4, -1.2], [-0.5, 0.9, 0.05]])
# one-hot class targets
ONEHOT = f32([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])
SPARSE = np.array([1, 2, 0, 1], dtype=np.int32)
PROBS = f32([[0.1, 0.7, 0.2], [0.25, 0.25, 0.5], [0.6, 0.3, 0.1], [0.05, 0.05, 0.9]])
PROBS_UNNORM = PROBS * f32([[2.0], [0.5], [1.0], [3.0]])  # Keras renormalises rows
LOGITS = f32([[0.5, 2.0, -1.0], [-0.3, 0.1, 1.2], [3.0, -2.0, 0.0], [-1.5, 0.4, 2.2]])
# binary
BIN_T = f32([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 1]])
BIN_P = f32([[0.9, 0.2, 0.6], [0.3, 0.05, 0.8], [0.7, 0.99, 0.4], [0.1, 0.5, 0.95]])
BIN_P_EDGE = f32([[1.0, 0.0, 0.6], [0.3, 1.0, 0.0], [0.7, 0.99, 0.4], [0.1, 0.5, 0.95]])
BIN_LOGITS = f32([[2.0, -1.5, 0.3], [-0.7, -3.0, 1.4], [0.8, 4.0, -0.2], [-2.2, 0.0, 3.0]])
SW = f32([1.0, 0.5, 2.0, 0.0])

# (case name, class name, kwargs, y_true, y_pred[, sample_weight])
SPECS = [
    ("mean_squared_error", "MeanSquaredError", {}, REG_T, REG_P),
    ("mean_squared_error_sample_weight", "MeanSquaredError", {}, REG_T, REG_P, SW),
    ("mean_squared_error_sum", "MeanSquaredError", {"reduction": "sum"}, REG_T, REG_P),
    ("mean_absolute_error", "MeanAbsoluteError", {}, REG_T, REG_P),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, REG_T_NZ, REG_P),
    ("mean_absolute_percentage_error_zero_target", "MeanAbsolutePercentageError", {}, REG_T, REG_P),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, POS_T, POS_P),
    ("poisson", "Poisson", {}, POS_T, POS_P),
    ("kl_divergence", "KLDivergence", {}, DIST_T, DIST_P),
    ("hinge_pm1", "Hinge", {}, PM1, SCORES),
    ("hinge_01_labels", "Hinge", {}, ZO, SCORES),
    ("squared_hinge_pm1", "SquaredHinge", {}, PM1, SCORES),
    ("squared_hinge_01_labels", "SquaredHinge", {}, ZO, SCORES),
    ("categorical_hinge", "CategoricalHinge", {}, ONEHOT, SCORES),
    ("log_cosh", "LogCosh", {}, REG_T, REG_P),
    ("huber_delta_1", "Huber", {"delta": 1.0}, REG_T, REG_P),
    ("huber_delta_0.5", "Huber", {"delta": 0.5}, REG_T, REG_P),
    ("cosine_similarity", "CosineSimilarity", {}, REG_T, REG_P),
    ("binary_crossentropy", "BinaryCrossentropy", {}, BIN_T, BIN_P),
    ("binary_crossentropy_edge_probs", "BinaryCrossentropy", {}, BIN_T, BIN_P_EDGE),
    ("binary_crossentropy_from_logits", "BinaryCrossentropy", {"from_logits": True}, BIN_T, BIN_LOGITS),
    ("binary_crossentropy_label_smoothing_0.1", "BinaryCrossentropy", {"label_smoothing": 0.1}, BIN_T, BIN_P),
    ("binary_crossentropy_from_logits_label_smoothing_0.1", "BinaryCrossentropy",
     {"from_logits": True, "label_smoothing": 0.1}, BIN_T, BIN_LOGITS),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", {}, BIN_T, BIN_P),
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, ONEHOT, PROBS),
    ("categorical_crossentropy_unnormalized_probs", "CategoricalCrossentropy", {}, ONEHOT, PROBS_UNNORM),
    ("categorical_crossentropy_soft_targets", "CategoricalCrossentropy", {}, DIST_T, PROBS),
    ("categorical_crossentropy_from_logits", "CategoricalCrossentropy", {"from_logits": True}, ONEHOT, LOGITS),
    ("categorical_crossentropy_label_smoothing_0.1", "CategoricalCrossentropy",
     {"label_smoothing": 0.1}, ONEHOT, PROBS),
    ("categorical_crossentropy_from_logits_label_smoothing_0.1", "CategoricalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.1}, ONEHOT, LOGITS),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", {}, ONEHOT, PROBS),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, SPARSE, PROBS),
    ("sparse_categorical_crossentropy_from_logits", "SparseCategoricalCrossentropy",
     {"from_logits": True}, SPARSE, LOGITS),
    ("sparse_categorical_crossentropy_sample_weight", "SparseCategoricalCrossentropy", {}, SPARSE, PROBS, SW),
    ("dice", "Dice", {}, BIN_T, BIN_P),
    ("tversky", "Tversky", {}, BIN_T, BIN_P),
]

cases = []
for spec in SPECS:
    case, cls_name, kw, yt, yp = spec[:5]
    sw = spec[5] if len(spec) > 5 else None
    cls = getattr(L, cls_name)
    loss = cls(**kw)
    yt_t = tf.constant(yt)
    yp_t = tf.constant(yp)
    swt = None if sw is None else tf.constant(sw)
    with tf.GradientTape() as tape:
        tape.watch(yp_t)
        val = loss(yt_t, yp_t, sample_weight=swt)
    g = tape.gradient(val, yp_t)
    kw_none = dict(kw)
    kw_none["reduction"] = None
    per = cls(**kw_none)(yt_t, yp_t, sample_weight=swt)
    c = {"name": case, "class": cls_name, "kwargs": kw,
         "config": clean_config(loss.get_config()),
         "y_true": arr(yt), "y_pred": arr(yp)}
    if sw is not None:
        c["sample_weight"] = arr(sw)
    c.update({"loss": float(val.numpy()), "per_sample": arr(per), "grad_y_pred": arr(g)})
    cases.append(c)

write("losses", cases,
      note="loss = cls(**kwargs)(y_true, y_pred[, sample_weight]); per_sample uses reduction=None; "
           "grad_y_pred = d(loss)/d(y_pred)")

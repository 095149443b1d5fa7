#!/usr/bin/env python3
"""Keras 3 streaming metrics: result after update_state on two batches (no sample weights),
plus compile-time resolution of "accuracy" by shapes."""
from _common import arr, np, keras, write
from keras.src.trainers.compile_utils import get_metric

M = keras.metrics
f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731

BIN_T = [f32([[1], [0], [1], [0], [1]]), f32([[0], [1], [1]])]
BIN_P = [f32([[0.9], [0.5], [0.4], [0.2], [0.51]]), f32([[0.7], [0.5], [0.99]])]
ML_T = [f32([[1, 0, 1], [0, 0, 1]]), f32([[1, 1, 0], [0, 1, 1]])]
ML_P = [f32([[0.9, 0.6, 0.3], [0.1, 0.5, 0.8]]), f32([[0.2, 0.7, 0.55], [0.4, 0.45, 0.95]])]
ONEHOT = [f32([[0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0]]),
          f32([[0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0]])]
SCORES = [f32([[0.1, 0.3, 0.2, 0.05, 0.15, 0.2], [0.3, 0.1, 0.1, 0.2, 0.2, 0.1], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]]),
          f32([[0.1, 0.1, 0.1, 0.3, 0.3, 0.1], [0.05, 0.1, 0.2, 0.3, 0.25, 0.1]])]
SPARSE = [np.argmax(t, axis=-1).astype(np.float32) for t in ONEHOT]
SPARSE_COL = [s.reshape(-1, 1) for s in SPARSE]
REG_T = [f32([[0.5, -1.0], [2.0, 1.5]]), f32([[0.0, -0.5], [3.0, 1.0], [0.2, 0.4]])]
REG_P = [f32([[0.7, -0.2], [1.0, 1.0]]), f32([[0.4, -0.6], [2.0, 3.5], [0.2, 0.1]])]
EXACT_T = [f32([[1, 2], [3, 4]]), f32([[1, 1]])]
EXACT_P = [f32([[1, 0], [3, 4]]), f32([[2, 1]])]
POS_T = [np.abs(t) + 0.1 for t in REG_T]
POS_P = [np.abs(p) + 0.1 for p in REG_P]
AUC_T = [f32([[1], [0], [1], [0], [1], [0]]), f32([[1], [1], [0], [0]])]
AUC_P = [f32([[0.9], [0.3], [0.6], [0.55], [0.2], [0.1]]), f32([[0.8], [0.4], [0.7], [0.05]])]

SPECS = [
    ("accuracy", "Accuracy", {}, EXACT_T, EXACT_P),
    ("binary_accuracy", "BinaryAccuracy", {}, BIN_T, BIN_P),
    ("binary_accuracy_multilabel", "BinaryAccuracy", {}, ML_T, ML_P),
    ("binary_accuracy_threshold_0.7", "BinaryAccuracy", {"threshold": 0.7}, ML_T, ML_P),
    ("categorical_accuracy", "CategoricalAccuracy", {}, ONEHOT, SCORES),
    ("sparse_categorical_accuracy", "SparseCategoricalAccuracy", {}, SPARSE, SCORES),
    ("sparse_categorical_accuracy_column", "SparseCategoricalAccuracy", {}, SPARSE_COL, SCORES),
    ("top_k_categorical_accuracy", "TopKCategoricalAccuracy", {}, ONEHOT, SCORES),
    ("top_k_categorical_accuracy_k2", "TopKCategoricalAccuracy", {"k": 2}, ONEHOT, SCORES),
    ("sparse_top_k_categorical_accuracy_k2", "SparseTopKCategoricalAccuracy", {"k": 2}, SPARSE, SCORES),
    ("sparse_top_k_categorical_accuracy_k1", "SparseTopKCategoricalAccuracy", {"k": 1}, SPARSE, SCORES),
    ("mean_squared_error", "MeanSquaredError", {}, REG_T, REG_P),
    ("mean_absolute_error", "MeanAbsoluteError", {}, REG_T, REG_P),
    ("root_mean_squared_error", "RootMeanSquaredError", {}, REG_T, REG_P),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, POS_T, REG_P),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, POS_T, POS_P),
    ("log_cosh_error", "LogCoshError", {}, REG_T, REG_P),
    ("cosine_similarity", "CosineSimilarity", {}, REG_T, REG_P),
    ("binary_crossentropy", "BinaryCrossentropy", {}, ML_T, ML_P),
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, ONEHOT, SCORES),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, SPARSE, SCORES),
    ("hinge", "Hinge", {}, ML_T, REG_P[:1] and [f32([[0.3, -0.8, 1.5], [0.6, -0.1, 0.2]]), f32([[2.0, -0.4, -1.2], [-0.5, 0.9, 0.05]])]),
    ("kl_divergence", "KLDivergence", {}, ONEHOT, SCORES),
    ("poisson", "Poisson", {}, POS_T, POS_P),
    ("precision", "Precision", {}, BIN_T, BIN_P),
    ("precision_multilabel", "Precision", {}, ML_T, ML_P),
    ("precision_threshold_0.4", "Precision", {"thresholds": 0.4}, ML_T, ML_P),
    ("precision_class_id_1", "Precision", {"class_id": 1}, ML_T, ML_P),
    ("precision_top_k_1", "Precision", {"top_k": 1}, ML_T, ML_P),
    ("recall", "Recall", {}, BIN_T, BIN_P),
    ("recall_multilabel", "Recall", {}, ML_T, ML_P),
    ("recall_class_id_2", "Recall", {"class_id": 2}, ML_T, ML_P),
    ("recall_top_k_2", "Recall", {"top_k": 2}, ML_T, ML_P),
    ("auc", "AUC", {}, AUC_T, AUC_P),
    ("auc_multilabel_pooled", "AUC", {}, ML_T, ML_P),
    ("auc_pr", "AUC", {"curve": "PR"}, AUC_T, AUC_P),
    ("auc_roc_minoring", "AUC", {"summation_method": "minoring"}, AUC_T, AUC_P),
    ("auc_pr_majoring_50", "AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 50}, AUC_T, AUC_P),
]

cases = []
for case, cls, kw, ts, ps in SPECS:
    m = getattr(M, cls)(**kw)
    for t, p in zip(ts, ps):
        m.update_state(t, p)
    cases.append({"name": case, "class": cls, "kwargs": kw, "metric_name": m.name,
                  "y_true": [arr(t) for t in ts], "y_pred": [arr(p) for p in ps],
                  "result": float(np.asarray(m.result()))})

# compile-time resolution of "accuracy"/"acc" (y_true, y_pred shapes include the batch axis)
RES = [("accuracy", (8,), (8, 1)), ("accuracy", (8, 1), (8, 1)), ("acc", (8,), (8, 10)),
       ("accuracy", (8, 1), (8, 10)), ("accuracy", (8, 10), (8, 10)), ("ACC", (8, 3), (8, 3)),
       ("accuracy", (8, 5, 1), (8, 5, 4)), ("accuracy", (8, 5), (8, 5, 4)), ("mse", (8, 3), (8, 3)),
       ("mean_squared_error", (8, 3), (8, 3)), ("binary_accuracy", (8, 1), (8, 1)), ("auc", (8, 1), (8, 1))]
resolution = []
for ident, ts, ps in RES:
    m = get_metric(ident, np.zeros(ts, np.float32), np.zeros(ps, np.float32))
    resolution.append({"identifier": ident, "y_true_shape": list(ts), "y_pred_shape": list(ps),
                       "class": type(m).__name__, "name": m.name})

write("metrics", cases, resolution=resolution,
      note="result = metric(**kwargs) after update_state(y_true[i], y_pred[i]) for each batch i; "
           "resolution = compile_utils.get_metric(identifier, y_true, y_pred)")

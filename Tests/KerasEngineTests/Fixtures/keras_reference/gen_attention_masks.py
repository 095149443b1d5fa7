#!/usr/bin/env python3
"""Keras 3 attention with Keras masks: MultiHeadAttention given the masks of its query,
value and key (as a Keras model passes them: set on the tensors, combined by
`_compute_attention_mask` with attention_mask and use_causal_mask; fused and
explicit-softmax paths), MultiHeadAttention over non-default attention_axes ([1], [2], [-2], [1, 2], [1, 3] on rank 4
and 5 inputs), GroupQueryAttention (shared key/value heads, masks, causal,
attention_mask, no bias), and `Attention` / `AdditiveAttention` (dot, concat, scaled or
not, with a key, masks, causal, dropout, returned scores). Fixed weights; outputs and the
gradients of sum(output * w) with respect to every input and weight."""
from _common import arr, case_rng, clean_config, fixed, np, keras, tf, write, _weight_name

Ly = keras.layers
set_mask = keras.src.backend.set_keras_mask


def x_(name, shape):
    return fixed(case_rng("input:" + name), shape, 1.0)


def lengths_mask(lengths, steps):
    """(batch, steps) bool: the first `lengths[b]` steps kept."""
    return np.array([[t < n for t in range(steps)] for n in lengths])


def run(layer, name, cls, tensors, call, masks, weights_scale=0.5):
    """Calls `call(layer, tensors)` (masks set on the tensors first), sets fixed weights,
    and records outputs and gradients."""
    rng = case_rng(name)
    ts = [tf.constant(t) for t in tensors]

    def with_masks(xs):
        for x, m in zip(xs, masks):
            if m is not None:
                set_mask(x, tf.constant(m))
        return xs

    call(layer, with_masks(list(ts)))
    if layer.weights:
        layer.set_weights([fixed(rng, tuple(w.shape), weights_scale) + (1.0 if w.shape == () else 0.0) for w in layer.weights])
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            tape.watch(t)
        out = call(layer, with_masks(list(ts)))
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        ws = [tf.constant(fixed(rng, tuple(o.shape), 1.0)) for o in outs]
        s = tf.add_n([tf.reduce_sum(o * w) for o, w in zip(outs, ws)])
    grads = [tape.gradient(s, t) for t in ts]
    gw = tape.gradient(s, layer.trainable_weights)
    return {"name": name, "class": cls, "config": clean_config(layer.get_config()),
            "inputs": [arr(t) for t in ts],
            "masks": [None if m is None else arr(m.astype(np.float32)) for m in masks],
            "weights": [{"name": _weight_name(w, layer), "value": arr(w), "grad": arr(g)}
                        for w, g in zip(layer.weights, gw)],
            "outputs": [arr(o) for o in outs], "output_weights": [arr(w) for w in ws],
            "grad_inputs": [arr(g) for g in grads],
            "param_count": int(layer.count_params())}


def mha_case(name, make, query, value, key=None, masks=(), attention_mask=None, causal=False, scores=False):
    tensors = [query, value] + ([key] if key is not None else [])
    am = None if attention_mask is None else tf.constant(attention_mask)

    def call(layer, ts):
        return layer(ts[0], ts[1], key=ts[2] if len(ts) > 2 else None, attention_mask=am,
                     use_causal_mask=causal, return_attention_scores=scores)
    c = run(make(), name, "MultiHeadAttention", tensors, call, list(masks) + [None] * (len(tensors) - len(masks)))
    c["call_kwargs"] = {"use_causal_mask": causal, "return_attention_scores": scores, "has_key": key is not None}
    c["attention_mask"] = None if attention_mask is None else arr(attention_mask.astype(np.float32))
    return c


def score_case(name, make, query, value, key=None, masks=(None, None), causal=False, scores=False, training=False):
    tensors = [query, value] + ([key] if key is not None else [])
    mask_list = None if all(m is None for m in masks) else [None if m is None else tf.constant(m) for m in masks]

    def call(layer, ts):
        return layer(ts, mask=mask_list, use_causal_mask=causal, return_attention_scores=scores, training=training)
    layer = make()
    c = run(layer, name, type(layer).__name__, tensors, call, [None] * len(tensors))
    c["masks"] = [None if m is None else arr(m.astype(np.float32)) for m in masks]
    c["call_kwargs"] = {"use_causal_mask": causal, "return_attention_scores": scores}
    return c


def gqa_case(name, make, query, value, key=None, masks=(), attention_mask=None, causal=False, scores=False):
    c = mha_case(name, make, query, value, key=key, masks=masks, attention_mask=attention_mask, causal=causal, scores=scores)
    c["class"] = "GroupedQueryAttention"
    return c


Q = x_("q", (2, 5, 6))
V = x_("v", (2, 4, 3))
K = x_("k", (2, 4, 7))
QM = lengths_mask([3, 5], 5)          # example 0 has two padded queries (fully masked rows)
VM = lengths_mask([4, 2], 4)
KM = lengths_mask([3, 4], 4)
SELF_AM = (case_rng("selfam").random((2, 5, 5)) > 0.3)

SQ = x_("sq", (2, 5, 4))
SV = x_("sv", (2, 6, 3))
SK = x_("sk", (2, 6, 4))
SQM = lengths_mask([3, 5], 5)
SVM = lengths_mask([6, 2], 6)
SVM_EMPTY = lengths_mask([0, 4], 6)   # example 0: every value masked

MHA = [
    mha_case("mha_self_query_value_masks", lambda: Ly.MultiHeadAttention(2, 3), Q, Q, masks=[QM, QM]),
    mha_case("mha_self_masks_scores", lambda: Ly.MultiHeadAttention(2, 3), Q, Q, masks=[QM, QM], scores=True),
    mha_case("mha_self_masks_dropout", lambda: Ly.MultiHeadAttention(2, 3, dropout=0.3), Q, Q, masks=[QM, QM]),
    mha_case("mha_cross_all_masks", lambda: Ly.MultiHeadAttention(3, 2, value_dim=4), Q, V, key=K, masks=[QM, VM, KM]),
    mha_case("mha_value_mask_only", lambda: Ly.MultiHeadAttention(2, 3), Q, V, masks=[None, VM]),
    mha_case("mha_masks_causal_attention_mask", lambda: Ly.MultiHeadAttention(2, 4), Q, Q, masks=[QM, QM],
             attention_mask=SELF_AM, causal=True),
]

Q4 = x_("q4", (2, 3, 2, 5))
V4 = x_("v4", (2, 3, 4, 3))
Q5 = x_("q5", (2, 2, 3, 2, 4))
AXES = [
    mha_case("axes_1_self", lambda: Ly.MultiHeadAttention(2, 3, attention_axes=[1]), Q4, Q4, scores=True),
    mha_case("axes_2_cross", lambda: Ly.MultiHeadAttention(2, 3, value_dim=2, attention_axes=[2]), Q4, V4, scores=True),
    mha_case("axes_neg2_no_scores", lambda: Ly.MultiHeadAttention(3, 2, attention_axes=[-2]), Q4, V4),
    mha_case("axes_1_2_dropout", lambda: Ly.MultiHeadAttention(2, 2, dropout=0.2, attention_axes=[1, 2]), Q4, Q4),
    mha_case("axes_1_3_rank5", lambda: Ly.MultiHeadAttention(2, 2, output_shape=3, attention_axes=[1, 3]), Q5, Q5, scores=True),
]

GV = x_("gv", (2, 4, 6))
GQA = [
    gqa_case("gqa_plain", lambda: Ly.GroupQueryAttention(3, 4, 2), Q, GV),
    gqa_case("gqa_key_masks", lambda: Ly.GroupQueryAttention(2, 6, 3), Q, GV, key=K, masks=[QM, VM, KM]),
    gqa_case("gqa_causal_scores_masks", lambda: Ly.GroupQueryAttention(3, 4, 1), Q, Q, masks=[QM, QM], causal=True, scores=True),
    gqa_case("gqa_attention_mask_no_bias", lambda: Ly.GroupQueryAttention(2, 2, 2, use_bias=False), Q, Q,
             attention_mask=SELF_AM),
    gqa_case("gqa_causal_only", lambda: Ly.GroupQueryAttention(2, 4, 2), Q, Q, causal=True),
]

SCORE = [
    score_case("attention_dot", lambda: Ly.Attention(), SQ, SV, key=SK),
    score_case("attention_dot_scaled_masks", lambda: Ly.Attention(use_scale=True), SQ, SV, key=SK, masks=[SQM, SVM], scores=True),
    score_case("attention_dot_empty_value_mask", lambda: Ly.Attention(), SQ, SK, masks=[None, SVM_EMPTY]),
    score_case("attention_dot_causal", lambda: Ly.Attention(use_scale=True), SQ, SQ, masks=[SQM, SQM], causal=True, scores=True),
    score_case("attention_concat", lambda: Ly.Attention(score_mode="concat"), SQ, SV, key=SK, masks=[SQM, SVM]),
    score_case("attention_concat_scaled_causal", lambda: Ly.Attention(use_scale=True, score_mode="concat"), SQ, SK,
               masks=[None, SVM], causal=True, scores=True),
    score_case("additive", lambda: Ly.AdditiveAttention(), SQ, SV, key=SK, masks=[SQM, SVM], scores=True),
    score_case("additive_unscaled_causal", lambda: Ly.AdditiveAttention(use_scale=False), SQ, SK, causal=True),
    score_case("attention_dropout_inference", lambda: Ly.Attention(dropout=0.4), SQ, SK, masks=[SQM, SVM]),
]

if __name__ == "__main__":
    write("attention_masks", MHA + SCORE + GQA + AXES)

#!/usr/bin/env python3
"""Keras 3 MultiHeadAttention: fixed weights, outputs (and attention scores) and the
gradients of sum(output * w) with respect to query, value, key and every weight —
with and without an attention mask, causal, several shapes."""
from _common import arr, case_rng, clean_config, fixed, jsonable, np, keras, tf, write, _weight_name

Ly = keras.layers


def x_(name, shape):
    return fixed(case_rng("input:" + name), shape, 1.0)


def mha_case(name, make, query, value, key=None, mask=None, causal=False, scores=False):
    layer = make()
    rng = case_rng(name)
    q, v = tf.constant(query), tf.constant(value)
    k = None if key is None else tf.constant(key)
    m = None if mask is None else tf.constant(mask)
    kwargs = dict(key=k, attention_mask=m, use_causal_mask=causal, return_attention_scores=scores)
    layer(q, v, **kwargs)
    layer.set_weights([fixed(rng, tuple(w.shape), 0.5) for w in layer.weights])
    watched = [t for t in (q, v, k) if t is not None]
    with tf.GradientTape(persistent=True) as tape:
        for t in watched:
            tape.watch(t)
        out = layer(q, v, **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        ws = [tf.constant(fixed(rng, tuple(o.shape), 1.0)) for o in outs]
        s = tf.add_n([tf.reduce_sum(o * w) for o, w in zip(outs, ws)])
    grads = [tape.gradient(s, t) for t in watched]
    gw = tape.gradient(s, layer.trainable_weights)
    return {"name": name, "class": "MultiHeadAttention", "config": clean_config(layer.get_config()),
            "call_kwargs": {"use_causal_mask": causal, "return_attention_scores": scores,
                            "has_key": key is not None},
            "inputs": [arr(t) for t in watched],
            "attention_mask": None if mask is None else arr(mask.astype(np.float32)),
            "weights": [{"name": _weight_name(w, layer), "value": arr(w), "grad": arr(g)}
                        for w, g in zip(layer.weights, gw)],
            "outputs": [arr(o) for o in outs], "output_weights": [arr(w) for w in ws],
            "grad_inputs": [arr(g) for g in grads],
            "param_count": int(layer.count_params())}


Q = x_("q", (2, 5, 6))
V = x_("v", (2, 4, 3))
K = x_("k", (2, 4, 7))
Q4 = x_("q4", (2, 3, 2, 5))
MASK = (case_rng("mask").random((2, 5, 4)) > 0.4)
MASK[0, 1, :] = False   # a fully masked query row
SELF_MASK = (case_rng("selfmask").random((2, 5, 5)) > 0.3)

CASES = [
    mha_case("self_2heads", lambda: Ly.MultiHeadAttention(2, 3), Q, Q),
    mha_case("cross_value_key", lambda: Ly.MultiHeadAttention(3, 2, value_dim=4), Q, V, key=K),
    mha_case("cross_masked", lambda: Ly.MultiHeadAttention(2, 3), Q, V, mask=MASK, scores=True),
    mha_case("self_causal", lambda: Ly.MultiHeadAttention(2, 4), Q, Q, causal=True, scores=True),
    mha_case("self_causal_and_mask", lambda: Ly.MultiHeadAttention(2, 4), Q, Q, mask=SELF_MASK, causal=True),
    mha_case("no_bias_output_shape", lambda: Ly.MultiHeadAttention(2, 3, use_bias=False, output_shape=5), Q, V),
    mha_case("rank4_default_axes", lambda: Ly.MultiHeadAttention(2, 3), Q4, Q4),
]

if __name__ == "__main__":
    write("attention", CASES)

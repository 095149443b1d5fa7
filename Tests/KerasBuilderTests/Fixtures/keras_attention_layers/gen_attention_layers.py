#!/usr/bin/env python3
"""Keras 3 / keras_hub reference numbers for EinsumDense, GroupNormalization,
UnitNormalization, keras_hub's SinePositionEncoding and TransformerDecoder (issue 15),
read by KerasBuilderTests/AttentionLayerFixtureTests.

Each case is a tiny functional model (each input -> linear Activation -> the layer, named
"target") saved with `model.to_json()`, plus the layer's seeded weights, outputs and the
gradients of S = sum(output * w) from `_common.layer_case`. kerasctl builds the model from
the JSON through its importer and registry, loads the weights and must reproduce the numbers.

Run: KERAS_BACKEND=tensorflow /work/venv-keras/bin/python gen_attention_layers.py  (writes attention_layers.json)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "KerasEngineTests", "Fixtures", "keras_reference"))
from _common import case_rng, fixed, layer_case, keras  # noqa: E402
import keras_hub  # noqa: E402

L = keras.layers
H = keras_hub.layers


def x_(name, shape, scale=1.0):
    return fixed(case_rng("input:" + name), shape, scale)


X2 = x_("x2", (3, 5))
X3 = x_("x3", (2, 4, 6))
X4 = x_("x4", (2, 3, 2, 4))
X4B = x_("x4b", (2, 3, 4, 5))
D = x_("dec", (2, 5, 6))
E = x_("enc", (2, 4, 3))
G4 = x_("g4", (2, 3, 3, 4), 2.0) + 0.5


def model_json(layer, inputs, kwargs):
    ins = [keras.Input(x.shape[1:], name=f"in{i}") for i, x in enumerate(inputs)]
    lin = [L.Activation("linear", name=f"lin{i}")(t) for i, t in enumerate(ins)]
    out = layer(*lin, **kwargs)
    return json.loads(keras.Model(ins, out).to_json())


def T(cls, *args, **kwargs):
    return lambda: cls(*args, name="target", **kwargs)


LAYERS = [
    # name, make, inputs, call kwargs
    ("einsum_ab_bc", T(L.EinsumDense, "ab,bc->ac", 4, bias_axes="c", activation="tanh"), [X2], {}),
    ("einsum_abc_cd", T(L.EinsumDense, "abc,cd->abd", (None, 3), bias_axes="d"), [X3], {}),
    ("einsum_abc_cd_no_bias", T(L.EinsumDense, "abc,cd->abd", (4, 3)), [X3], {}),
    ("einsum_abc_cd_bias_b", T(L.EinsumDense, "abc,cd->abd", (4, 3), bias_axes="b"), [X3], {}),
    ("einsum_abc_cde", T(L.EinsumDense, "abc,cde->abde", (None, 2, 3), bias_axes="de"), [X3], {}),
    ("einsum_abcd_cde", T(L.EinsumDense, "abcd,cde->abe", (None, 5), bias_axes="e", activation="gelu"), [X4], {}),
    ("einsum_ellipsis_left", T(L.EinsumDense, "...b,bc->...c", 3, bias_axes="c"), [X4B], {}),
    ("einsum_ellipsis_right", T(L.EinsumDense, "abc...,cd->abd...", (3, 2), bias_axes="d"), [X4B], {}),
    ("einsum_transposed_out", T(L.EinsumDense, "abc,cd->adb", (3, 4), bias_axes="db"), [X3], {}),
    ("group_norm_2", T(L.GroupNormalization, groups=2), [X3], {}),
    ("group_norm_instance", T(L.GroupNormalization, groups=-1, epsilon=1e-5), [X3], {}),
    ("group_norm_axis_1_no_center", T(L.GroupNormalization, groups=2, axis=1, center=False), [X3], {}),
    ("group_norm_4d_no_scale", T(L.GroupNormalization, groups=2, scale=False), [G4], {}),
    ("unit_norm", T(L.UnitNormalization), [X3], {}),
    ("unit_norm_axes_1_2", T(L.UnitNormalization, axis=[1, 2]), [X3], {}),
    ("unit_norm_axis_1", T(L.UnitNormalization, axis=1), [X4B], {}),
    ("sine_position", T(H.SinePositionEncoding), [X3], {}),
    ("sine_position_odd_wavelength", T(H.SinePositionEncoding, max_wavelength=100), [x_("odd", (2, 6, 5))], {}),
    ("decoder_only", T(H.TransformerDecoder, intermediate_dim=8, num_heads=2), [D], {}),
    ("decoder_cross", T(H.TransformerDecoder, intermediate_dim=7, num_heads=3), [D, E], {}),
    ("decoder_cross_first_gelu", T(H.TransformerDecoder, intermediate_dim=5, num_heads=2, activation="gelu",
                                   layer_norm_epsilon=1e-6, normalize_first=True), [D, E], {}),
    ("decoder_not_causal", T(H.TransformerDecoder, intermediate_dim=4, num_heads=3, activation="silu"), [D],
     {"use_causal_mask": False}),
]


def layer_cases():
    cases = []
    for name, make, inputs, kwargs in LAYERS:
        layer = make()
        config = model_json(layer, inputs, kwargs)
        if len(inputs) > 1:  # keras_hub's decoder takes (decoder_sequence, encoder_sequence), not a list
            c = layer_case(name, _Splat(layer), inputs, call_kwargs=kwargs)
        else:
            c = layer_case(name, layer, inputs[0], call_kwargs=kwargs)
        c["model"] = config
        c["param_count"] = int(layer.count_params())
        cases.append(c)
    return cases


class _Splat:
    """A layer called with a list, passing its items as positional arguments."""
    def __init__(self, layer):
        self.layer = layer

    def __call__(self, xs, **kwargs):
        return self.layer(*xs, **kwargs)

    def __getattr__(self, name):
        return getattr(self.layer, name)


out = {"keras_version": keras.__version__, "keras_hub_version": keras_hub.__version__,
       "backend": keras.backend.backend(), "layers": layer_cases()}
path = os.path.join(HERE, "attention_layers.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(f"wrote {path}: {len(out['layers'])} layer cases")

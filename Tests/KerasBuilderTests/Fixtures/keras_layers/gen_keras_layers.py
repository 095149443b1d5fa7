#!/usr/bin/env python3
"""Keras 3 reference numbers for the activation, preprocessing and keras.applications
layers, ZeroPadding3D/Cropping3D and the weight constraints (issue 14), read by KerasBuilderTests/KerasLayerFixtureTests.

Each layer case is a tiny functional model (inputs -> linear Activation -> the layer, named
"target"; the linear layer keeps KerasJSON from taking a leading Rescaling/Normalization as
data preprocessing) saved with `model.to_json()`, plus the layer's weights, outputs and
gradients from `_common.layer_case` (seeded weights, S = sum(output * w)). kerasctl builds
the model from the JSON through its importer and registry, loads the weights and must
reproduce the numbers. Keras 2 configs (ThresholdedReLU, LeakyReLU's `alpha`) are written
by hand: their reference numbers come from the Keras 3 layer computing the same function.

Constraint cases: `constraint(w)` for a seeded `w`, with the serialized constraint; one
training step (SGD) of a Dense with kernel and bias constraints.

Run: KERAS_BACKEND=tensorflow /work/venv-keras/bin/python gen_keras_layers.py  (writes keras_layers.json)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "KerasEngineTests", "Fixtures", "keras_reference"))
from _common import arr, case_rng, fixed, layer_case, np, keras, tf  # noqa: E402
from keras.src.applications.convnext import LayerScale, StochasticDepth  # noqa: E402
from keras.src.applications.inception_resnet_v2 import CustomScaleLayer  # noqa: E402

L = keras.layers


def x_(name, shape, scale=1.0):
    return fixed(case_rng("input:" + name), shape, scale)


X2 = x_("x2", (3, 5), 2.0)
X3 = x_("x3", (2, 4, 3), 2.0)
X4 = x_("x4", (2, 3, 4, 3), 2.0)
X5 = x_("x5", (1, 4, 4, 4, 2))
# Values near ReLU's kinks are moved off them so central differences stay meaningful.
X2[0, :] = [-6.0, -3.0, -0.7, 0.3, 0.2]


def model_json(layer, inputs):
    """A functional model: each input -> Activation(linear) -> `layer` (named target)."""
    ins = [keras.Input(x.shape[1:], name=f"in{i}") for i, x in enumerate(inputs)]
    lin = [L.Activation("linear", name=f"lin{i}")(t) for i, t in enumerate(ins)]
    out = layer(lin if len(lin) > 1 else lin[0])
    return json.loads(keras.Model(ins, out).to_json())


def legacy(config, class_name, drop=(), **set_):
    """`config` (a model JSON) with the target layer renamed to `class_name`, the keys in
    `drop` removed and those in `set_` set."""
    for layer in config["config"]["layers"]:
        if layer["config"].get("name") == "target":
            layer["class_name"] = class_name
            layer["module"] = "keras.layers"
            for k in drop:
                layer["config"].pop(k, None)
            layer["config"].update(set_)
    return config


LAYERS = [
    # name, make, inputs, call kwargs
    ("relu", lambda: L.ReLU(name="target"), [X2], {}),
    ("relu_max_value_6", lambda: L.ReLU(6.0, name="target"), [X2 * 2], {}),
    ("relu_negative_slope", lambda: L.ReLU(negative_slope=0.2, name="target"), [X2], {}),
    ("relu_threshold", lambda: L.ReLU(threshold=0.5, name="target"), [X2], {}),
    ("relu_all_args", lambda: L.ReLU(max_value=2.5, negative_slope=0.1, threshold=0.5, name="target"), [X2], {}),
    ("leaky_relu", lambda: L.LeakyReLU(name="target"), [X2], {}),
    ("leaky_relu_0.05", lambda: L.LeakyReLU(negative_slope=0.05, name="target"), [X3], {}),
    ("elu", lambda: L.ELU(name="target"), [X2], {}),
    ("elu_alpha_0.5", lambda: L.ELU(alpha=0.5, name="target"), [X3], {}),
    ("prelu", lambda: L.PReLU(name="target"), [X3], {}),
    ("prelu_shared_axes_1_2", lambda: L.PReLU(shared_axes=[1, 2], name="target"), [X4], {}),
    ("prelu_initializer_constraint", lambda: L.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                                                      alpha_constraint=keras.constraints.NonNeg(), shared_axes=1,
                                                      name="target"), [X3], {}),
    ("rescaling", lambda: L.Rescaling(1.0 / 255, name="target"), [X3 * 100], {}),
    ("rescaling_offset", lambda: L.Rescaling(1.0 / 127.5, offset=-1.0, name="target"), [X3 * 100], {}),
    ("rescaling_per_channel", lambda: L.Rescaling([0.5, 2.0, -1.0], offset=[0.1, 0.2, 0.3], name="target"), [X4], {}),
    ("normalization_given", lambda: L.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.052, 0.050, 0.051],
                                                     name="target"), [X4], {}),
    ("normalization_given_scalar", lambda: L.Normalization(mean=3.0, variance=2.0, name="target"), [X3], {}),
    ("normalization_given_invert", lambda: L.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1.0],
                                                            invert=True, name="target"), [X3], {}),
    ("normalization_weights", lambda: L.Normalization(name="target"), [X4], {}),
    ("normalization_weights_axes_1_2", lambda: L.Normalization(axis=(1, 2), name="target"), [X4], {}),
    ("normalization_weights_axis_none", lambda: L.Normalization(axis=None, name="target"), [X3], {}),
    ("normalization_weights_invert", lambda: L.Normalization(invert=True, name="target"), [X3], {}),
    ("layer_scale", lambda: LayerScale(1e-6, 3, name="target"), [X4], {}),
    ("stochastic_depth_inference", lambda: StochasticDepth(0.25, name="target"), [X4], {"training": False}),
    ("custom_scale_layer", lambda: CustomScaleLayer(0.17, name="target"), [X4, x_("x4b", (2, 3, 4, 3))], {}),
    ("zero_padding3d", lambda: L.ZeroPadding3D(name="target"), [X5], {}),
    ("zero_padding3d_asym", lambda: L.ZeroPadding3D(((1, 0), (0, 2), (2, 1)), name="target"), [X5], {}),
    ("cropping3d", lambda: L.Cropping3D(name="target"), [X5], {}),
    ("cropping3d_asym", lambda: L.Cropping3D(((1, 0), (0, 2), (2, 1)), name="target"), [X5], {}),
    ("cropping3d_per_axis", lambda: L.Cropping3D((1, 0, 1), name="target"), [X5], {}),
]


def layer_cases():
    cases = []
    for name, make, inputs, kwargs in LAYERS:
        layer = make()
        config = model_json(layer, inputs)
        if isinstance(layer, L.Normalization):
            # set_weights does not refresh the statistics the call uses (loading a file
            # does, through load_own_variables -> finalize_state).
            set_weights = layer.set_weights
            layer.set_weights = lambda w, layer=layer, set_weights=set_weights: (set_weights(w), layer.finalize_state())
        c = layer_case(name, layer, inputs if len(inputs) > 1 else inputs[0], call_kwargs=kwargs)
        c["model"] = config
        c["param_count"] = int(layer.count_params())
        cases.append(c)
    # Keras 2 configs, reference numbers from the Keras 3 layer computing the same function.
    for name, make, config_of, inputs in [
        ("thresholded_relu_keras2", lambda: L.ReLU(threshold=1.0, name="target"),
         lambda m: legacy(m, "ThresholdedReLU", ("max_value", "negative_slope", "threshold"), theta=1.0), [X2]),
        ("thresholded_relu_keras2_theta_0.3", lambda: L.ReLU(threshold=0.3, name="target"),
         lambda m: legacy(m, "ThresholdedReLU", ("max_value", "negative_slope", "threshold"), theta=0.3), [X2]),
        ("leaky_relu_keras2_alpha", lambda: L.LeakyReLU(negative_slope=0.1, name="target"),
         lambda m: legacy(m, "LeakyReLU", ("negative_slope",), alpha=0.1), [X2]),
    ]:
        layer = make()
        config = config_of(model_json(layer, inputs))
        c = layer_case(name, layer, inputs[0])
        c["model"] = config
        c["param_count"] = 0
        cases.append(c)
    return cases


K = keras.constraints
CONSTRAINTS = [
    ("max_norm_default", K.MaxNorm(), (4, 3), 1.5),
    ("max_norm_0.8_axis_1", K.MaxNorm(max_value=0.8, axis=1), (4, 3), 1.0),
    ("max_norm_conv_axes", K.MaxNorm(max_value=1.0, axis=[0, 1, 2]), (3, 3, 2, 4), 1.0),
    ("max_norm_bias", K.MaxNorm(max_value=0.5), (5,), 1.0),
    ("non_neg", K.NonNeg(), (4, 3), 1.0),
    ("unit_norm_default", K.UnitNorm(), (4, 3), 1.0),
    ("unit_norm_axis_-1", K.UnitNorm(axis=-1), (3, 2, 4), 1.0),
    ("min_max_norm_default", K.MinMaxNorm(), (4, 3), 1.0),
    ("min_max_norm_rate", K.MinMaxNorm(min_value=0.5, max_value=1.5, rate=0.5, axis=0), (6, 3), 0.6),
    ("min_max_norm_axes", K.MinMaxNorm(min_value=0.9, max_value=1.1, axis=[0, 1]), (2, 3, 4), 1.0),
]


def constraint_cases():
    cases = []
    for name, c, shape, scale in CONSTRAINTS:
        w = fixed(case_rng("constraint:" + name), shape, scale)
        cases.append({"name": name, "constraint": keras.constraints.serialize(c), "value": arr(w),
                      "constrained": arr(c(tf.constant(w)))})
    return cases


def training_step():
    """One SGD step of Dense(3, kernel MaxNorm(0.3), bias NonNeg) on a fixed batch."""
    rng = case_rng("constraint:training_step")
    x = fixed(rng, (4, 5), 1.0)
    y = fixed(rng, (4, 3), 1.0)
    dense = L.Dense(3, kernel_constraint=K.MaxNorm(0.3), bias_constraint=K.NonNeg(), name="target")
    model = keras.Sequential([keras.Input((5,)), dense])
    kernel = fixed(rng, (5, 3), 0.5)
    bias = fixed(rng, (3,), 0.5)
    dense.set_weights([kernel, bias])
    opt = keras.optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, dense.trainable_weights)
    opt.apply_gradients(zip(grads, dense.trainable_weights))
    return {"name": "dense_sgd_step", "model": json.loads(model.to_json()), "x": arr(x), "y": arr(y),
            "learning_rate": 0.5, "weights_before": [arr(kernel), arr(bias)],
            "gradients": [arr(g) for g in grads], "weights_after": [arr(v) for v in dense.weights]}


out = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
       "layers": layer_cases(), "constraints": constraint_cases(), "training_step": training_step()}
path = os.path.join(HERE, "keras_layers.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(f"wrote {path}: {len(out['layers'])} layer cases, {len(out['constraints'])} constraint cases, "
      f"{os.path.getsize(path)} bytes")

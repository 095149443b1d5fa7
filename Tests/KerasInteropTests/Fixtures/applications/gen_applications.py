"""Builds every keras.applications architecture with real Keras 3 (weights=None), perturbs
its weights away from their initial values (BatchNormalization's moving statistics too, so
inference-mode normalization is really tested) and saves it for kerasctl's tests.

    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_applications.py OUT [NAME...]
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_applications.py --small .

The second form writes the small fixtures committed beside this script (narrow MobileNets,
2 to 3 MB each: only NAME.keras and NAME.io.json), which the test suite reads without
Keras; `bench/applications.py check` (make applications) runs the full list above.

For each architecture NAME it writes into OUT:
  NAME.keras       Keras 3 native format
  NAME.h5          legacy HDF5 format
  NAME.json        model.to_json()
  NAME.weights.h5  model.save_weights()
  NAME.io.json     {"keras_version", "params", "variant", "inputs": [...], "outputs": [...]}
The files of the big architectures run to hundreds of MB: OUT is a scratch folder, not git.
"""
import json
import os
import sys
import warnings

import numpy as np
import keras

warnings.filterwarnings("ignore")
A = keras.applications

# name: (constructor, input side, variant). The variants alternate include_top=True (with a
# small `classes`; "logits" without the softmax, so that a saturated softmax cannot hide a
# difference) and include_top=False with each pooling, so every head is covered.
ARCHS = {
    "Xception": (A.Xception, 71, "logits"),
    "VGG16": (A.VGG16, 32, "avg"),
    "VGG19": (A.VGG19, 32, "top"),
    "ResNet50": (A.ResNet50, 32, "max"),
    "ResNet101": (A.ResNet101, 32, "logits"),
    "ResNet152": (A.ResNet152, 32, "avg"),
    "ResNet50V2": (A.ResNet50V2, 32, "top"),
    "ResNet101V2": (A.ResNet101V2, 32, "max"),
    "ResNet152V2": (A.ResNet152V2, 32, "top"),
    "InceptionV3": (A.InceptionV3, 75, "avg"),
    "InceptionResNetV2": (A.InceptionResNetV2, 75, "logits"),
    "MobileNet": (A.MobileNet, 32, "top"),
    "MobileNetV2": (A.MobileNetV2, 32, "logits"),
    "MobileNetV3Small": (A.MobileNetV3Small, 32, "logits"),
    "MobileNetV3Large": (A.MobileNetV3Large, 32, "avg"),
    "DenseNet121": (A.DenseNet121, 32, "logits"),
    "DenseNet169": (A.DenseNet169, 32, "max"),
    "DenseNet201": (A.DenseNet201, 32, "avg"),
    "NASNetMobile": (A.NASNetMobile, 32, "logits"),
    "EfficientNetB0": (A.EfficientNetB0, 32, "top"),
    "EfficientNetB1": (A.EfficientNetB1, 32, "avg"),
    "EfficientNetB2": (A.EfficientNetB2, 32, "logits"),
    "EfficientNetB3": (A.EfficientNetB3, 32, "max"),
    "EfficientNetB4": (A.EfficientNetB4, 32, "top"),
    "EfficientNetB5": (A.EfficientNetB5, 32, "avg"),
    "EfficientNetB6": (A.EfficientNetB6, 32, "top"),
    "EfficientNetB7": (A.EfficientNetB7, 32, "avg"),
    "EfficientNetV2B0": (A.EfficientNetV2B0, 32, "logits"),
    "EfficientNetV2B1": (A.EfficientNetV2B1, 32, "avg"),
    "EfficientNetV2B2": (A.EfficientNetV2B2, 32, "top"),
    "EfficientNetV2B3": (A.EfficientNetV2B3, 32, "max"),
    "EfficientNetV2S": (A.EfficientNetV2S, 32, "top"),
    "ConvNeXtTiny": (A.ConvNeXtTiny, 32, "logits"),
    "ConvNeXtSmall": (A.ConvNeXtSmall, 32, "avg"),
}


def arr(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def perturb(model, rng):
    """Moves every weight away from its initial value: kernels by a small relative noise,
    biases and BatchNormalization's gamma/beta/moving statistics to non-trivial values."""
    for v in model.weights:
        w = np.asarray(v.numpy())
        path = v.path
        if "moving_variance" in path:
            w = rng.uniform(0.5, 1.5, w.shape)
        elif "moving_mean" in path:
            w = rng.normal(0, 0.1, w.shape)
        elif path.endswith("gamma"):
            w = rng.uniform(0.8, 1.2, w.shape)
        elif w.ndim <= 1:
            w = w + rng.normal(0, 0.05, w.shape)
        else:
            w = w * rng.uniform(0.9, 1.1, w.shape) + rng.normal(0, 0.01, w.shape)
        v.assign(w.astype(np.float32))


# Small variants for the committed fixtures: (constructor, side, variant, extra arguments).
SMALL = {
    "mobilenet_v3_small_a035": (A.MobileNetV3Small, 32, "avg", dict(alpha=0.35)),
    "mobilenet_v2_a035": (A.MobileNetV2, 32, "logits", dict(alpha=0.35, classes=5)),
}


def build(name):
    if name in SMALL:
        ctor, side, variant, extra = SMALL[name]
        kw = dict(weights=None, input_shape=(side, side, 3))
        if variant == "logits":
            kw.update(include_top=True, classes=7, classifier_activation=None)
        else:
            kw.update(include_top=False, pooling=variant)
        kw.update(extra)
        return ctor(**kw), side, variant
    ctor, side, variant = ARCHS[name]
    kw = dict(weights=None, input_shape=(side, side, 3))
    if variant == "top":
        kw.update(include_top=True, classes=7)
    elif variant == "logits":
        kw.update(include_top=True, classes=7, classifier_activation=None)
    else:
        kw.update(include_top=False, pooling=variant)
    return ctor(**kw), side, variant


def main():
    small = sys.argv[1] == "--small"
    out = sys.argv[2] if small else sys.argv[1]
    names = list(SMALL) if small else (sys.argv[2:] or list(ARCHS))
    os.makedirs(out, exist_ok=True)
    for name in names:
        keras.utils.set_random_seed(7)
        rng = np.random.default_rng(7)
        model, side, variant = build(name)
        perturb(model, rng)
        x = rng.uniform(0, 255, (2, side, side, 3)).astype(np.float32)
        y = model.predict(x, verbose=0)
        base = os.path.join(out, name)
        model.save(base + ".keras")
        if not small:
            model.save(base + ".h5")
            model.save_weights(base + ".weights.h5")
            with open(base + ".json", "w") as f:
                f.write(model.to_json())
        with open(base + ".io.json", "w") as f:
            json.dump({"keras_version": keras.__version__, "params": int(model.count_params()),
                       "variant": variant, "inputs": [arr(x)], "outputs": [arr(y)]}, f)
        print(f"{name}: {model.count_params()} params, output {y.shape}", flush=True)


if __name__ == "__main__":
    main()

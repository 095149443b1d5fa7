"""A model of the activation, preprocessing and keras.applications layers and the weight
constraints (issue 14), saved by real Keras 3 for kerasctl's interop tests; the same
files as gen_keras_models.py makes (NAME.keras, .h5, .json, .io.json).

Run from this folder:
    KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=3 python3 gen_layer_models.py

The Normalization layers hold statistics: one given in its config, one adapted (weights
mean, variance and an int64 count), both after a Dense layer so they are model layers,
not the leading preprocessing kerasctl takes into its data pipeline. The model is fitted
for two epochs (constraints applied after each step) before its predictions are saved.
"""
import warnings

import numpy as np
import keras
from keras import layers
from keras.src.applications.convnext import LayerScale, StochasticDepth
from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

from gen_keras_models import save

warnings.filterwarnings("ignore")
keras.utils.set_random_seed(14)
rng = np.random.default_rng(14)
C = keras.constraints


def activation_layers():
    x = keras.Input((6, 6, 3), name="image")
    h = layers.Conv2D(4, 3, padding="same", kernel_constraint=C.MaxNorm(1.5, axis=[0, 1, 2]),
                      bias_constraint=C.NonNeg(), name="conv")(x)
    h = layers.Rescaling([0.5, 2.0, 1.0, -1.0], offset=0.1, name="rescale")(h)
    norm = layers.Normalization(name="adapted")
    norm.adapt(rng.normal(size=(16, 6, 6, 4)).astype("float32") * 2 + 1)
    h = norm(h)
    h = layers.Normalization(mean=[0.1, -0.2, 0.3, 0.0], variance=[1.5, 0.5, 2.0, 1.0], name="given")(h)
    h = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.2), shared_axes=[1, 2], name="prelu")(h)
    h = layers.DepthwiseConv2D(3, depthwise_constraint=C.UnitNorm(axis=[0, 1]), name="dw")(h)
    h = layers.ReLU(6.0, name="relu6")(h)
    a = layers.LeakyReLU(name="leaky")(h)
    b = layers.ELU(alpha=0.5, name="elu")(h)
    b = layers.ReLU(max_value=3.0, negative_slope=0.1, threshold=0.2, name="relu_args")(b)
    b = LayerScale(0.3, 4, name="scale")(b)
    b = StochasticDepth(0.2, name="drop_path")(b)
    h = CustomScaleLayer(0.5, name="join")([a, b])
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    out = layers.Dense(3, kernel_constraint=C.MinMaxNorm(0.2, 1.0, rate=0.7), name="out")(h)
    return keras.Model(x, out, name="activation_layers")


def main():
    name, model = "activation_layers", activation_layers()
    xs = rng.normal(size=(32, 6, 6, 3)).astype("float32")
    ys = rng.normal(size=(32, 3)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    model.fit(xs, ys, epochs=2, batch_size=8, verbose=0)
    save(name, model, [rng.normal(size=(4, 6, 6, 3)).astype("float32")])


if __name__ == "__main__":
    main()

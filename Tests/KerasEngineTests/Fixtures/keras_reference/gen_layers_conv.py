#!/usr/bin/env python3
"""Keras 3 conv / pooling / normalization / reshaping layers: fixed weights, output and gradients."""
from _common import case_rng, fixed, layer_case, np, keras, write

Ly = keras.layers


def x_(name, shape):
    return fixed(case_rng("input:" + name), shape, 1.0)


X1 = x_("x1", (2, 7, 3))          # (batch, steps, channels)
X1_8 = x_("x1_8", (2, 8, 3))
X2 = x_("x2", (2, 6, 6, 3))       # (batch, h, w, c)
X2_ODD = x_("x2odd", (2, 7, 5, 3))
X2_4C = x_("x2_4c", (2, 5, 5, 4))
X2_SMALL = x_("x2small", (2, 4, 4, 3))
X2_POOL = x_("x2pool", (2, 7, 5, 2))
X1_POOL = x_("x1pool", (2, 7, 2))
XBN = x_("xbn", (2, 4, 3)) * np.float32(2.0) + np.float32(1.0)
X_DENSE = x_("xdense", (2, 5))

SPECS = [
    # Conv1D
    ("conv1d_valid", lambda: Ly.Conv1D(4, 3), X1),
    ("conv1d_same", lambda: Ly.Conv1D(4, 3, padding="same"), X1),
    ("conv1d_causal", lambda: Ly.Conv1D(4, 3, padding="causal"), X1),
    ("conv1d_strides_2", lambda: Ly.Conv1D(4, 3, strides=2), X1),
    ("conv1d_strides_2_same_even", lambda: Ly.Conv1D(4, 3, strides=2, padding="same"), X1_8),
    ("conv1d_dilation_2", lambda: Ly.Conv1D(4, 3, dilation_rate=2), X1),
    ("conv1d_causal_dilation_2", lambda: Ly.Conv1D(4, 3, dilation_rate=2, padding="causal"), X1),
    ("conv1d_relu", lambda: Ly.Conv1D(4, 3, activation="relu"), X1),
    # Conv2D
    ("conv2d_valid", lambda: Ly.Conv2D(4, 3), X2),
    ("conv2d_same_odd_7x5", lambda: Ly.Conv2D(4, 3, padding="same"), X2_ODD),
    ("conv2d_kernel_2x3_valid_odd", lambda: Ly.Conv2D(4, (2, 3)), X2_ODD),
    ("conv2d_strides_2", lambda: Ly.Conv2D(4, 3, strides=2), X2_ODD),
    ("conv2d_strides_2_same", lambda: Ly.Conv2D(4, 3, strides=2, padding="same"), X2),
    ("conv2d_strides_2_same_odd", lambda: Ly.Conv2D(4, 3, strides=2, padding="same"), X2_ODD),
    ("conv2d_dilation_2", lambda: Ly.Conv2D(4, 3, dilation_rate=2), X2_ODD),
    ("conv2d_groups_2", lambda: Ly.Conv2D(4, 3, groups=2), X2_4C),
    ("conv2d_no_bias", lambda: Ly.Conv2D(4, 3, use_bias=False), X2),
    # Conv2DTranspose
    ("conv2d_transpose_strides_2_same", lambda: Ly.Conv2DTranspose(2, 3, strides=2, padding="same"), X2_SMALL),
    ("conv2d_transpose_strides_2_valid", lambda: Ly.Conv2DTranspose(2, 3, strides=2, padding="valid"), X2_SMALL),
    ("conv2d_transpose_strides_1_valid", lambda: Ly.Conv2DTranspose(2, 3), X2_SMALL),
    ("conv1d_transpose_strides_2_same", lambda: Ly.Conv1DTranspose(2, 3, strides=2, padding="same"), X1),
    # Depthwise / separable
    ("depthwise_conv2d_dm2", lambda: Ly.DepthwiseConv2D(3, depth_multiplier=2), X2),
    ("depthwise_conv2d_same", lambda: Ly.DepthwiseConv2D(3, padding="same"), X2_ODD),
    ("separable_conv2d", lambda: Ly.SeparableConv2D(4, 3), X2),
    ("separable_conv2d_dm2_same", lambda: Ly.SeparableConv2D(4, 3, depth_multiplier=2, padding="same"), X2_ODD),
    ("depthwise_conv1d", lambda: Ly.DepthwiseConv1D(3, depth_multiplier=2), X1),
    ("separable_conv1d", lambda: Ly.SeparableConv1D(4, 3), X1),
    # Pooling
    ("max_pooling1d_p3_s2_valid", lambda: Ly.MaxPooling1D(3, 2), X1_POOL),
    ("max_pooling1d_p3_s2_same", lambda: Ly.MaxPooling1D(3, 2, padding="same"), X1_POOL),
    ("max_pooling1d_default", lambda: Ly.MaxPooling1D(), X1_POOL),
    ("average_pooling1d_p3_s2_valid", lambda: Ly.AveragePooling1D(3, 2), X1_POOL),
    ("average_pooling1d_p3_s2_same", lambda: Ly.AveragePooling1D(3, 2, padding="same"), X1_POOL),
    ("max_pooling2d_p3_s2_valid", lambda: Ly.MaxPooling2D(3, 2), X2_POOL),
    ("max_pooling2d_p3_s2_same", lambda: Ly.MaxPooling2D(3, 2, padding="same"), X2_POOL),
    ("max_pooling2d_default_2", lambda: Ly.MaxPooling2D(2), X2_POOL),
    ("average_pooling2d_p3_s2_valid", lambda: Ly.AveragePooling2D(3, 2), X2_POOL),
    ("average_pooling2d_p3_s2_same", lambda: Ly.AveragePooling2D(3, 2, padding="same"), X2_POOL),
    ("average_pooling2d_default_2_same", lambda: Ly.AveragePooling2D(2, padding="same"), X2_POOL),
    ("global_max_pooling1d", lambda: Ly.GlobalMaxPooling1D(), X1),
    ("global_max_pooling1d_keepdims", lambda: Ly.GlobalMaxPooling1D(keepdims=True), X1),
    ("global_average_pooling1d", lambda: Ly.GlobalAveragePooling1D(), X1),
    ("global_average_pooling1d_keepdims", lambda: Ly.GlobalAveragePooling1D(keepdims=True), X1),
    ("global_max_pooling2d", lambda: Ly.GlobalMaxPooling2D(), X2_ODD),
    ("global_max_pooling2d_keepdims", lambda: Ly.GlobalMaxPooling2D(keepdims=True), X2_ODD),
    ("global_average_pooling2d", lambda: Ly.GlobalAveragePooling2D(), X2_ODD),
    ("global_average_pooling2d_keepdims", lambda: Ly.GlobalAveragePooling2D(keepdims=True), X2_ODD),
    # Normalization
    ("batch_normalization_training", lambda: Ly.BatchNormalization(), XBN, {"training": True}),
    ("batch_normalization_inference", lambda: Ly.BatchNormalization(), XBN, {"training": False}),
    ("batch_normalization_momentum_0.9_training", lambda: Ly.BatchNormalization(momentum=0.9, epsilon=1e-5),
     XBN, {"training": True}),
    ("batch_normalization_no_scale_center_training", lambda: Ly.BatchNormalization(center=False, scale=False),
     XBN, {"training": True}),
    ("batch_normalization_conv_input_training", lambda: Ly.BatchNormalization(), X2_ODD, {"training": True}),
    ("layer_normalization", lambda: Ly.LayerNormalization(), XBN),
    ("layer_normalization_axes_1_2", lambda: Ly.LayerNormalization(axis=[1, 2]), XBN),
    ("rms_normalization", lambda: Ly.RMSNormalization(), XBN),
    ("group_normalization_2", lambda: Ly.GroupNormalization(groups=2), X2_4C),
    ("unit_normalization", lambda: Ly.UnitNormalization(), X_DENSE),
    # Reshaping
    ("zero_padding2d_1", lambda: Ly.ZeroPadding2D(1), X2_SMALL),
    ("zero_padding2d_asym", lambda: Ly.ZeroPadding2D(((1, 0), (2, 1))), X2_SMALL),
    ("zero_padding1d_2", lambda: Ly.ZeroPadding1D(2), X1),
    ("cropping2d_1", lambda: Ly.Cropping2D(1), X2_ODD),
    ("cropping2d_asym", lambda: Ly.Cropping2D(((1, 2), (0, 1))), X2_ODD),
    ("cropping1d", lambda: Ly.Cropping1D((1, 2)), X1),
    ("upsampling2d_2", lambda: Ly.UpSampling2D(2), X2_SMALL),
    ("upsampling2d_2x3_bilinear", lambda: Ly.UpSampling2D((2, 3), interpolation="bilinear"), X2_SMALL),
    ("upsampling1d_2", lambda: Ly.UpSampling1D(2), X1),
    ("permute_2_1", lambda: Ly.Permute((2, 1)), X1),
    ("permute_3_1_2", lambda: Ly.Permute((3, 1, 2)), X2_SMALL),
    ("repeat_vector_3", lambda: Ly.RepeatVector(3), X_DENSE),
    ("flatten", lambda: Ly.Flatten(), X2_SMALL),
    ("reshape", lambda: Ly.Reshape((3, -1)), X2_SMALL),
    ("dropout_inference", lambda: Ly.Dropout(0.5), X_DENSE, {"training": False}),
]

cases = []
for spec in SPECS:
    name, make, x = spec[:3]
    kw = spec[3] if len(spec) > 3 else None
    cases.append(layer_case(name, make(), x, call_kwargs=kw))

write("layers_conv", cases,
      note="Channels-last. weights are in layer.weights / get_weights() order, set to seeded random "
           "values before the call; outputs[i] is weighted by output_weights[i]; grads are of "
           "S = sum_i sum(outputs[i] * output_weights[i]). value_after_call appears when the call "
           "changed a (non-trainable) weight, e.g. BatchNormalization moving statistics.")

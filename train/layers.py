"""Building blocks shared by the OCR and detector networks: int8- and Edge TPU-friendly."""

from __future__ import annotations

from keras import layers


def conv_block(x, filters: int, kernel=3, strides=1, name: str = ""):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(max_value=6.0, name=f"{name}_relu")(x)


def separable_block(x, filters: int, strides=1, name: str = ""):
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False, name=f"{name}_dw")(x)
    x = layers.BatchNormalization(name=f"{name}_dwbn")(x)
    x = layers.ReLU(max_value=6.0, name=f"{name}_dwrelu")(x)
    return conv_block(x, filters, 1, name=f"{name}_pw")

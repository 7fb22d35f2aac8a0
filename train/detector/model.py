"""The detector network: a MobileNet-like backbone, a light top-down merge to stride 4, three heads.

Only Conv2D, DepthwiseConv2D, BatchNorm, ReLU6, nearest resizing and Add: full-int8 and Edge TPU
friendly. Outputs in this order: ``heatmap`` (sigmoid), ``offset`` (sigmoid), ``size`` (linear).
"""

from __future__ import annotations

import keras
from keras import layers

from edge.metadata import InputSpec
from train.layers import conv_block, separable_block

OUTPUT_NAMES = ["heatmap", "offset", "size"]
#: Tensors besides the ReLU6 outputs that int8 export quantises with a calibrated range: the merges
#: and the three outputs (what quantisation-aware fine-tuning simulates).
MEASURED_TENSORS = ("add16", "add8", "add4", *OUTPUT_NAMES)
STRIDE = 4


def _upsample(x, spec: InputSpec, stride: int, name: str):
    """Nearest-neighbour 2x upsampling to the stride's grid (RESIZE_NEAREST_NEIGHBOR: no TILE ops)."""
    return layers.Resizing(spec.height // stride, spec.width // stride, interpolation="nearest", name=name)(x)


def build_detector(spec: InputSpec, width: float = 1.0, name: str = "plate_detector") -> keras.Model:
    if spec.height % 32 or spec.width % 32:
        raise ValueError("detector input height and width must be multiples of 32")

    def ch(n: int) -> int:
        return max(8, round(n * width / 8) * 8)

    inputs = keras.Input(shape=spec.shape, name="image")
    x = conv_block(inputs, ch(16), 3, strides=2, name="stem")  # /2
    x = separable_block(x, ch(24), strides=2, name="s4a")  # /4
    c4 = separable_block(x, ch(24), name="s4b")
    x = separable_block(c4, ch(40), strides=2, name="s8a")  # /8
    c8 = separable_block(x, ch(40), name="s8b")
    x = separable_block(c8, ch(64), strides=2, name="s16a")  # /16
    x = separable_block(x, ch(64), name="s16b")
    c16 = separable_block(x, ch(64), name="s16c")
    x = separable_block(c16, ch(96), strides=2, name="s32a")  # /32
    c32 = separable_block(x, ch(96), name="s32b")
    # top-down merge back to stride 4
    p = conv_block(c32, ch(48), 1, name="lat32")
    p = _upsample(p, spec, 16, "up16")
    p = layers.Add(name="add16")([p, conv_block(c16, ch(48), 1, name="lat16")])
    p = separable_block(p, ch(48), name="p16")
    p = _upsample(p, spec, 8, "up8")
    p = layers.Add(name="add8")([p, conv_block(c8, ch(48), 1, name="lat8")])
    p = separable_block(p, ch(48), name="p8")
    p = _upsample(p, spec, 4, "up4")
    p = layers.Add(name="add4")([p, conv_block(c4, ch(48), 1, name="lat4")])
    p = separable_block(p, ch(32), name="p4")
    trunk = separable_block(p, ch(32), name="head")
    heat = layers.Conv2D(
        1, 1, activation="sigmoid", name="heatmap", bias_initializer=keras.initializers.Constant(-4.0)
    )(trunk)
    offset = layers.Conv2D(2, 1, activation="sigmoid", name="offset")(trunk)
    size = layers.Conv2D(2, 1, name="size")(trunk)
    return keras.Model(inputs, [heat, offset, size], name=name)

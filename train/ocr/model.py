"""The OCR network: a plain convolutional CTC reader that loves int8 and the Edge TPU.

Input ``(H, W, C)`` float in [0, 1]; output ``(T, classes)`` softmax probabilities, one row per
horizontal position, class 0 the CTC blank. Only Conv2D, DepthwiseConv2D, BatchNorm (folded
at export), ReLU and Reshape: static shapes, no recurrent layers, decoding on the host.
"""

from __future__ import annotations

import keras
from keras import layers

from edge.metadata import InputSpec
from train.layers import conv_block, separable_block


def build_ocr_model(
    spec: InputSpec, num_classes: int, width: float = 1.0, name: str = "plate_ocr", head: str = "ctc", slots: int = 10
) -> keras.Model:
    """Build the reader for ``spec`` inputs; ``width`` scales every layer's channels.

    The width axis is downsampled 4x (``T = spec.width // 4`` time steps); the height axis
    is collapsed to 1 by strides and a final full-height convolution.
    """
    if spec.height % 8 or spec.width % 4:
        raise ValueError("OCR input height must be a multiple of 8 and width a multiple of 4")

    def ch(n: int) -> int:
        return max(8, round(n * width / 8) * 8)

    inputs = keras.Input(shape=spec.shape, batch_size=None, name="image")
    x = conv_block(inputs, ch(16), 3, strides=2, name="stem")  # H/2, W/2
    x = separable_block(x, ch(32), name="b1")
    x = separable_block(x, ch(48), strides=2, name="b2")  # H/4, W/4
    x = separable_block(x, ch(64), name="b3")
    x = separable_block(x, ch(64), name="b4")
    x = separable_block(x, ch(96), strides=(2, 1), name="b5")  # H/8, W/4
    x = separable_block(x, ch(96), name="b6")
    x = separable_block(x, ch(128), name="b7")
    # collapse the remaining height: a full-height depthwise filter, then mix channels
    x = layers.DepthwiseConv2D((spec.height // 8, 1), padding="valid", use_bias=False, name="collapse_dw")(x)
    x = layers.BatchNormalization(name="collapse_dwbn")(x)
    x = layers.ReLU(max_value=6.0, name="collapse_dwrelu")(x)
    x = conv_block(x, ch(128), 1, name="collapse_pw")  # 1 x T
    x = layers.DepthwiseConv2D((1, 5), padding="same", use_bias=False, name="context_dw")(x)
    x = layers.BatchNormalization(name="context_dwbn")(x)
    x = layers.ReLU(max_value=6.0, name="context_dwrelu")(x)
    x = conv_block(x, ch(128), 1, name="context_pw")
    if head == "slots":  # one softmax per character slot over a global view (fast-plate-ocr style)
        x = conv_block(x, ch(48), 1, name="slot_reduce")
        x = layers.AveragePooling2D((1, 2), name="slot_pool")(x)
        x = layers.Flatten(name="slot_flat")(x)
        x = layers.Dense(slots * num_classes, name="logits")(x)
        x = layers.Reshape((slots, num_classes), name="steps")(x)
    else:
        x = layers.Conv2D(num_classes, 1, name="logits")(x)
        x = layers.Reshape((spec.width // 4, num_classes), name="steps")(x)
    outputs = layers.Softmax(name="probs")(x)
    return keras.Model(inputs, outputs, name=name)


def logits_model(model: keras.Model) -> keras.Model:
    """The same network (shared weights) ending before the softmax: CTC is trained on logits, because
    a loss on clipped probabilities has no gradient for classes whose probability underflows."""
    return keras.Model(model.input, model.get_layer("steps").output, name=f"{model.name}_logits")

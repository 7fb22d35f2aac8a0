"""Keras -> TFLite: a float32 model and a full-integer int8 model (uint8 input and output)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from edge.preprocess import normalise

log = logging.getLogger(__name__)


def to_tflite(model, out: Path, input_shape: tuple[int, int, int], calibration: np.ndarray | None) -> Path:
    """Write ``out``: int8 with ``calibration`` (uint8 inputs, N x H x W x C), float32 without."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    signature = [tf.TensorSpec((1, *input_shape), tf.float32, name="image")]
    out.parent.mkdir(parents=True, exist_ok=True)
    if calibration is None:
        model.export(str(out), format="litert", input_signature=signature, verbose=False)
        return out

    def representative() -> Iterator[list[np.ndarray]]:
        for image in calibration:
            yield [normalise(image[None])]

    model.export(
        str(out),
        format="litert",
        input_signature=signature,
        optimizations=[tf.lite.Optimize.DEFAULT],
        representative_dataset=representative,
        target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
        inference_input_type=tf.uint8,
        inference_output_type=tf.uint8,
        verbose=False,
    )
    return out

"""A small interface over the TFLite interpreter: load, quantise inputs, invoke, named dequantised outputs.

Backends, first found wins: ``ai_edge_litert`` (LiteRT), ``tflite_runtime``, ``tensorflow.lite``.
Inputs are ``uint8`` pixels as produced by ``edge.preprocess``; the wrapper turns them into what
the model takes (pixels as they are for a uint8 model with scale 1/255, normalised floats for a
float model, requantised values otherwise). Outputs are read by name and returned as float32.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import AnprError

log = logging.getLogger(__name__)


class ModelLoadError(AnprError):
    """A model file is missing, corrupt, or does not match its card."""


def load_interpreter_class() -> tuple[type, str]:
    """The first available interpreter class and a label of its backend and version."""
    try:
        import ai_edge_litert
        from ai_edge_litert import interpreter as litert

        return litert.Interpreter, f"ai_edge_litert {getattr(ai_edge_litert, '__version__', '?')}"
    except ImportError:
        pass
    try:
        import tflite_runtime
        from tflite_runtime.interpreter import Interpreter

        return Interpreter, f"tflite_runtime {getattr(tflite_runtime, '__version__', '?')}"
    except ImportError:
        pass
    try:
        import tensorflow as tf

        return tf.lite.Interpreter, f"tensorflow.lite {tf.__version__}"
    except ImportError:
        raise AnprError("no TFLite interpreter: pip install ai-edge-litert (the 'edge' extra)") from None


@dataclass(frozen=True)
class TensorInfo:
    name: str
    index: int
    shape: tuple[int, ...]
    dtype: np.dtype
    scale: float
    zero_point: int


class TFLiteModel:
    """One loaded ``.tflite`` model with batch-1 named inputs and outputs."""

    def __init__(self, path: str | Path, num_threads: int = 1) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelLoadError(f"{self.path}: model file not found")
        interpreter_class, self.backend = load_interpreter_class()
        try:
            self._interpreter = interpreter_class(model_path=str(self.path), num_threads=num_threads)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"{self.path}: not a valid TFLite model ({str(exc).splitlines()[0]})") from None
        self.inputs = [self._info(d) for d in self._interpreter.get_input_details()]
        self.outputs = [self._info(d) for d in self._interpreter.get_output_details()]
        if len(self.inputs) != 1:
            raise ModelLoadError(f"{self.path}: expected one input tensor, found {len(self.inputs)}")

    @staticmethod
    def _info(detail: dict) -> TensorInfo:
        scale, zero = detail.get("quantization", (0.0, 0))
        return TensorInfo(
            detail["name"],
            detail["index"],
            tuple(int(v) for v in detail["shape"]),
            np.dtype(detail["dtype"]),
            float(scale),
            int(zero),
        )

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the input tensor, batch included."""
        return self.inputs[0].shape

    @property
    def quantized(self) -> bool:
        return self.inputs[0].dtype in (np.uint8, np.int8)

    def _prepare(self, pixels: np.ndarray) -> np.ndarray:
        info = self.inputs[0]
        batch = pixels[None] if pixels.ndim == len(info.shape) - 1 else pixels
        if tuple(batch.shape) != info.shape:
            raise ValueError(f"input shape {batch.shape} does not match the model's {info.shape}")
        if info.dtype == np.float32:
            return batch.astype(np.float32) * np.float32(1.0 / 255.0)
        if info.dtype == np.uint8 and abs(info.scale * 255.0 - 1.0) < 1e-3 and info.zero_point == 0:
            return batch.astype(np.uint8, copy=False)
        real = batch.astype(np.float32) / 255.0
        limits = np.iinfo(info.dtype)
        return np.clip(np.round(real / info.scale + info.zero_point), limits.min, limits.max).astype(info.dtype)

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        """Invoke on one ``uint8`` image (H, W, C) or a batch of one; outputs by name, float32, batch dropped."""
        self._interpreter.set_tensor(self.inputs[0].index, self._prepare(pixels))
        self._interpreter.invoke()
        result = {}
        for info in self.outputs:
            value = self._interpreter.get_tensor(info.index)
            if info.dtype != np.float32:
                value = (value.astype(np.float32) - info.zero_point) * np.float32(info.scale)
            result[info.name] = value[0]
        return result

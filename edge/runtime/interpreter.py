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
    """One loaded ``.tflite`` model with a batch-1 input and named, dequantised outputs.

    Outputs are read through the model's signature (``output_0``, ``output_1``, ... in the Keras
    model's order, never the interpreter's tensor order) and renamed with ``output_names``
    (from the model card) when given.
    """

    def __init__(
        self,
        path: str | Path,
        num_threads: int = 1,
        output_names: list[str] | None = None,
        delegate: object | None = None,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelLoadError(f"{self.path}: model file not found")
        interpreter_class, self.backend = load_interpreter_class()
        try:
            kwargs = {"model_path": str(self.path), "num_threads": num_threads}
            if delegate is not None:
                kwargs["experimental_delegates"] = [delegate]
            self._interpreter = interpreter_class(**kwargs)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"{self.path}: not a valid TFLite model ({str(exc).splitlines()[0]})") from None
        signatures = self._interpreter.get_signature_list()
        self._runner = self._interpreter.get_signature_runner(next(iter(signatures))) if signatures else None
        if self._runner is not None:
            in_details = self._runner.get_input_details()
            out_details = self._runner.get_output_details()
            self.inputs = [self._info(name, d) for name, d in in_details.items()]
            keys = sorted(out_details, key=lambda k: (len(k), k))  # output_0, output_1, ..., output_10
            self.outputs = [self._info(k, out_details[k]) for k in keys]
        else:
            self.inputs = [self._info(d["name"], d) for d in self._interpreter.get_input_details()]
            self.outputs = [self._info(d["name"], d) for d in self._interpreter.get_output_details()]
        if len(self.inputs) != 1:
            raise ModelLoadError(f"{self.path}: expected one input tensor, found {len(self.inputs)}")
        if output_names is not None and len(output_names) != len(self.outputs):
            raise ModelLoadError(
                f"{self.path}: the card names {len(output_names)} outputs, the model has {len(self.outputs)}"
            )
        self.output_names = output_names or [o.name for o in self.outputs]

    @staticmethod
    def _info(name: str, detail: dict) -> TensorInfo:
        scale, zero = detail.get("quantization", (0.0, 0))
        return TensorInfo(
            name,
            int(detail.get("index", -1)),
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
        data = self._prepare(pixels)
        if self._runner is not None:
            raw = self._runner(**{self.inputs[0].name: data})
            values = [raw[info.name] for info in self.outputs]
        else:
            self._interpreter.set_tensor(self.inputs[0].index, data)
            self._interpreter.invoke()
            values = [self._interpreter.get_tensor(info.index) for info in self.outputs]
        result = {}
        for name, info, value in zip(self.output_names, self.outputs, values):
            if info.dtype != np.float32:
                value = (value.astype(np.float32) - info.zero_point) * np.float32(info.scale)
            result[name] = value[0]
        return result

    def op_names(self) -> list[str]:
        """Builtin op names of the graph (for the Edge TPU check)."""
        return [op["op_name"] for op in self._interpreter._get_ops_details()]

    def tensor_details(self) -> list[dict]:
        return self._interpreter.get_tensor_details()

    def activation_indices(self) -> set[int]:
        """Indices of tensors computed at run time (model inputs and op outputs), not constants."""
        indices = {d["index"] for d in self._interpreter.get_input_details()}
        for op in self._interpreter._get_ops_details():
            if op["op_name"] != "DELEGATE":
                indices.update(int(i) for i in op["outputs"])
        return indices

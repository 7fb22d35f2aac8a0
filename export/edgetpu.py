"""Edge TPU readiness: inspect an int8 model against the Edge TPU's documented constraints.

From Coral's "TensorFlow models on the Edge TPU": tensors quantised to 8 bits (int8/uint8;
int32 biases), sizes constant at compile time, at most three dimensions larger than 1 (batch 1),
and only the supported operations; anything else runs on the CPU.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Operations the Edge TPU compiler maps to the TPU (Coral documentation, compiler 16).
EDGETPU_OPS = {
    "ADD",
    "AVERAGE_POOL_2D",
    "CONCATENATION",
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "EXPAND_DIMS",
    "FULLY_CONNECTED",
    "L2_NORMALIZATION",
    "LOGISTIC",
    "LSTM",
    "MAXIMUM",
    "MAX_POOL_2D",
    "MEAN",
    "MINIMUM",
    "MUL",
    "PACK",
    "PAD",
    "PRELU",
    "QUANTIZE",
    "REDUCE_MAX",
    "REDUCE_MIN",
    "RELU",
    "RELU6",
    "RELU_N1_TO_1",
    "RESHAPE",
    "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR",
    "RSQRT",
    "SLICE",
    "SOFTMAX",
    "SPACE_TO_DEPTH",
    "SPLIT",
    "SQUEEZE",
    "STRIDED_SLICE",
    "SUB",
    "SUM",
    "SQUARED_DIFFERENCE",
    "TANH",
    "TRANSPOSE",
    "TRANSPOSE_CONV",
    "HARD_SWISH",
}
_IGNORED = {"DELEGATE"}  # the interpreter's own CPU delegate node, not part of the model


@dataclass
class EdgeTpuReport:
    model: str
    ops: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_model(path: Path) -> EdgeTpuReport:
    """Report every op or tensor of the model that would keep it off the Edge TPU."""
    from edge.runtime.interpreter import TFLiteModel

    model = TFLiteModel(path)
    report = EdgeTpuReport(model=str(path))
    for name in model.op_names():
        if name not in _IGNORED:
            report.ops[name] = report.ops.get(name, 0) + 1
    for name in sorted(set(report.ops) - EDGETPU_OPS):
        report.problems.append(f"op {name} x{report.ops[name]} is not supported by the Edge TPU (runs on the CPU)")
    activations = model.activation_indices()
    for tensor in model.tensor_details():
        dtype = np.dtype(tensor["dtype"])
        shape = [int(v) for v in tensor["shape"]]
        signature = [int(v) for v in tensor.get("shape_signature", tensor["shape"])]
        label = f"tensor {tensor['name']!r} {dtype.name}{shape}"
        if dtype not in (np.uint8, np.int8, np.int32):
            report.problems.append(f"{label}: not quantised (8-bit int required, int32 only for biases)")
        elif dtype == np.int32 and len(shape) != 1:
            report.problems.append(f"{label}: int32 allowed only for bias vectors")
        if tensor["index"] not in activations:
            continue  # weights and biases: only their type matters
        if any(v < 0 for v in signature):
            report.problems.append(f"{label}: dynamic size {signature}")
        if sum(v > 1 for v in shape) > 3:
            report.problems.append(f"{label}: more than three dimensions larger than 1")
        if len(shape) == 4 and shape[0] != 1:
            report.problems.append(f"{label}: batch {shape[0]} (the Edge TPU needs batch 1)")
    for info in model.inputs + model.outputs:
        if info.dtype not in (np.uint8, np.int8):
            report.problems.append(
                f"model {('input' if info in model.inputs else 'output')} {info.name} is "
                f"{info.dtype.name}, not uint8/int8"
            )
    return report


def compiler_command(models: list[Path], out_dir: Path) -> list[str]:
    """``edgetpu_compiler -s`` co-compiling all models for one TPU."""
    return ["edgetpu_compiler", "-s", "-o", str(out_dir), *map(str, models)]


def compiler_available() -> bool:
    return shutil.which("edgetpu_compiler") is not None


_CORAL_APT = "https://packages.cloud.google.com/apt"
INSTALL_HINT = (
    "edgetpu_compiler is not installed. On a Debian/Ubuntu x86-64 host:\n"
    f"  curl {_CORAL_APT}/doc/apt-key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/coral.gpg\n"
    f'  echo "deb [signed-by=/usr/share/keyrings/coral.gpg] {_CORAL_APT} coral-edgetpu-stable main" \\\n'
    "    | sudo tee /etc/apt/sources.list.d/coral-edgetpu.list\n"
    "  sudo apt-get update && sudo apt-get install edgetpu-compiler\n"
    "then run: {command}"
)

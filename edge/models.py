"""Model cards and loading shipped models on the device, with the card check.

A model folder holds ``<name>.json`` (the card) and ``<name>_int8.tflite`` /
``<name>_float32.tflite`` (and optionally ``<name>_edgetpu.tflite``). Loading checks the file's
sha256 and input shape against the card and refuses a mismatch with one clear line.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from edge.runtime.interpreter import ModelLoadError, TFLiteModel

log = logging.getLogger(__name__)
EDGETPU_LIBRARIES = ("libedgetpu.so.1", "libedgetpu.1.dylib", "edgetpu.dll")


def load_card(models: Path, name: str) -> dict:
    path = Path(models) / f"{name}.json"
    try:
        card = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelLoadError(f"{path}: model card not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path}: model card is not valid JSON ({exc})") from None
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the model card ({exc.strerror or exc})") from None
    if not isinstance(card, dict) or "input" not in card:
        raise ModelLoadError(f"{path}: not a model card (no 'input')")
    return card


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def edgetpu_delegate():
    """The libedgetpu delegate, or None when the library is not installed (logged)."""
    try:
        from ai_edge_litert.interpreter import load_delegate
    except ImportError:
        try:
            from tflite_runtime.interpreter import load_delegate
        except ImportError:
            return None
    import ctypes

    for library in EDGETPU_LIBRARIES:
        try:
            ctypes.CDLL(library)  # absent library: skip quietly (a failed Delegate() prints an error when collected)
        except OSError:
            continue
        try:
            return load_delegate(library)
        except (ValueError, OSError, RuntimeError):
            continue
    return None


def open_model(
    models: Path, name: str, precision: str = "int8", num_threads: int = 1, prefer_edgetpu: bool = True
) -> tuple[TFLiteModel, dict]:
    """Load ``<name>`` from ``models`` after checking it against its card; returns (model, card).

    With ``precision="int8"`` an ``<name>_edgetpu.tflite`` is used when it exists and the
    libedgetpu delegate loads; otherwise the CPU model. The choice is logged.
    """
    models = Path(models)
    card = load_card(models, name)
    try:
        return _open_checked(models, name, card, precision, num_threads, prefer_edgetpu)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a card with the wrong structure
        raise ModelLoadError(
            f"{models / (name + '.json')}: malformed model card ({type(exc).__name__}: {exc})"
        ) from None


def _open_checked(
    models: Path, name: str, card: dict, precision: str, num_threads: int, prefer_edgetpu: bool
) -> tuple[TFLiteModel, dict]:
    entry = card.get("tflite", {}).get(precision)
    if not entry:
        raise ModelLoadError(f"{models / (name + '.json')}: no {precision} TFLite in the card (run 'make export')")
    path = models / entry["file"]
    delegate = None
    edgetpu = card.get("tflite", {}).get("edgetpu")
    if precision == "int8" and prefer_edgetpu and edgetpu and (models / edgetpu["file"]).is_file():
        delegate = edgetpu_delegate()
        if delegate is not None:
            path, entry = models / edgetpu["file"], edgetpu
            log.info("%s: using the Edge TPU model %s", name, path.name)
        else:
            log.info("%s: %s present but libedgetpu is not loadable: using the CPU model", name, edgetpu["file"])
    if not path.is_file():
        raise ModelLoadError(f"{path}: model file not found")
    actual = file_sha256(path)
    if actual != entry.get("sha256"):
        raise ModelLoadError(
            f"{path}: sha256 {actual[:12]}... does not match its card ({str(entry.get('sha256'))[:12]}...)"
            " - re-run 'make export' or restore the file"
        )
    model = TFLiteModel(path, num_threads=num_threads, output_names=card.get("output_names"), delegate=delegate)
    expected = tuple(entry.get("input_shape", [1, *[card["input"][k] for k in ("height", "width")]]))
    if tuple(model.input_shape[: len(expected)]) != expected:
        raise ModelLoadError(f"{path}: input shape {model.input_shape} does not match the card's {list(expected)}")
    if delegate is None:
        log.info("%s: using %s on the CPU (%s)", name, path.name, model.backend)
    return model, card

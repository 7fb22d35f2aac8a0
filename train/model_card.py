"""Model cards (``models/<name>.json``) and graph statistics computed from the Keras model."""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from edge.models import file_sha256 as sha256_file

__all__ = ["keras_macs", "library_versions", "sha256_file", "ship_best", "training_card", "write_card"]


def keras_macs(model) -> int:
    """Multiply-accumulates of one forward pass, summed over Conv2D, DepthwiseConv2D and Dense layers."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.DepthwiseConv2D):
            _, h, w, c = layer.output.shape
            kh, kw = layer.kernel_size
            total += h * w * c * kh * kw
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            kh, kw = layer.kernel_size
            total += h * w * c_out * kh * kw * layer.input.shape[-1]
        elif isinstance(layer, keras.layers.Dense):
            total += layer.input.shape[-1] * layer.units
    return int(total)


def library_versions() -> dict:
    import keras
    import numpy

    versions = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "keras": keras.__version__,
        "numpy": numpy.__version__,
    }
    try:
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    except ImportError:
        pass
    return versions


def write_card(path: Path, card: dict) -> None:
    """Write a card, keeping keys other tools added (export adds its own section)."""
    existing = json.loads(path.read_text()) if path.is_file() else {}
    existing.update(card)
    existing["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path.write_text(json.dumps(existing, indent=1, sort_keys=False) + "\n")


def ship_best(run_dir: Path, models: Path, name: str) -> Path:
    """Copy a run's ``best.keras`` to ``models/<name>.keras``."""
    import shutil

    models.mkdir(parents=True, exist_ok=True)
    target = models / f"{name}.keras"
    shutil.copyfile(run_dir / "best.keras", target)
    return target


def training_card(cfg, task: str, target: Path, model, state: dict, manifest: Path, synthetic: dict) -> dict:
    """Card fields every trained model has: files, input, size, validation metrics, training, data, command."""
    import shlex

    return {
        "name": cfg.name,
        "task": task,
        "keras": {"file": target.name, "sha256": sha256_file(target)},
        "input": cfg.input.model_dump(),
        "params": int(model.count_params()),
        "mmacs": round(keras_macs(model) / 1e6, 2),
        "metrics": {
            "validation_keras_float": state.get("best_scores", {}),
            "best_epoch": state["best_epoch"],
            "epochs_run": state["epoch"],
        },
        "training": {
            "config": cfg.model_dump(mode="json"),
            "minutes": round(state["seconds"] / 60, 1),
            "versions": library_versions(),
        },
        "data": {
            "real_sources": cfg.real_sources,
            **synthetic,
            "split_manifest": _relative(manifest),
            "split_manifest_sha256": sha256_file(manifest),
        },
        "command": " ".join(["anpr", *map(shlex.quote, sys.argv[1:])]),
    }


def _relative(path: Path) -> str:
    """``path`` relative to the working directory when it lies inside it (cards travel with the repo)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

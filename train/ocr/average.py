"""A reader made by averaging the weights of readers fine-tuned from one starting point (a "model soup").

Readers fine-tuned from the same weights on different data stay close enough in weight space that
their average reads like an ensemble of them at the cost of one model: no extra invoke on the
device. ``anpr train ocr`` does this instead of training when the config sets ``average_of``; the
result is scored on the validation split like an epoch and ships the same way.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from edge.errors import AnprError
from train.metrics import group_summary, grouped_scores
from train.model_card import sha256_file
from train.ocr.config import OcrTrainConfig
from train.ocr.data import load_real_crops, prepare_real

log = logging.getLogger(__name__)


def average_weights(weight_lists: list[list[np.ndarray]]) -> list[np.ndarray]:
    """The element-wise mean of several models' weight lists (same layers, same shapes, same order)."""
    if not weight_lists:
        raise AnprError("nothing to average")
    shapes = [[w.shape for w in weights] for weights in weight_lists]
    for index, other in enumerate(shapes[1:], start=1):
        if other != shapes[0]:
            raise AnprError(f"model {index + 1} is not the same network as model 1: weights cannot be averaged")
    return [np.mean(np.stack(group), axis=0).astype(group[0].dtype) for group in zip(*weight_lists)]


def averaged_model(paths: list[Path], custom_objects: dict | None = None):
    """The first of ``paths``' ``.keras`` models with the element-wise mean of all their weights (the
    ``average_of`` of a reader's or a detector's config); one clear error for a missing or unreadable file."""
    import keras

    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise AnprError(f"average_of: not found: {', '.join(missing)}")
    models = []
    for path in paths:
        try:
            models.append(keras.models.load_model(path, custom_objects=custom_objects, compile=False))
        except (ValueError, OSError) as exc:
            raise AnprError(f"average_of: {path} is not a readable .keras model ({exc})") from None
    model = models[0]
    model.set_weights(average_weights([m.get_weights() for m in models]))
    return model


def average_ocr(cfg: OcrTrainConfig, run_dir: Path, data_root: Path, manifest: Path) -> dict:
    """Average ``cfg.average_of`` into ``run_dir/best.keras``, score it on the real validation crops of
    ``cfg.real_sources`` (float) and return the state ``ship_ocr`` writes the card from."""
    from train.ocr.plots import plot_confusion
    from train.ocr.train import read_batch

    started = time.monotonic()
    model = averaged_model(cfg.average_of)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(cfg.model_dump_json(indent=1))
    model.save(run_dir / "best.keras")
    log.info("averaged the weights of %s", ", ".join(str(p) for p in cfg.average_of))
    real_val = load_real_crops(data_root, manifest, cfg.real_sources, "val") if cfg.real_sources else []
    scores: dict = {}
    predictions: list[str] = []
    if real_val:
        texts, groups = [c.text for c in real_val], [c.group for c in real_val]
        predictions = read_batch(model, prepare_real(real_val, cfg.input), decoder=cfg.head)
        scores = grouped_scores(zip(groups, texts, predictions))
        plot_confusion(zip(texts, predictions), run_dir / "confusion.png")
        log.info(
            "average: val exact %.2f %% char %.2f %% (%s)",
            scores["exact_match"],
            scores["char_accuracy"],
            group_summary(scores),
        )
    else:
        log.warning("no real validation crops: the average is not scored")
    state = {
        "epoch": 0,
        "best_epoch": 0,
        "best_exact": scores.get("exact_match", -1.0),
        "best_scores": scores,
        "history": [],
        "seconds": time.monotonic() - started,
        "average_of": [{"file": str(p), "sha256": sha256_file(Path(p))} for p in cfg.average_of],
        "val_predictions": [{"group": c.group, "truth": c.text, "read": p} for c, p in zip(real_val, predictions)],
    }
    (run_dir / "state.json").write_text(json.dumps(state, indent=1))
    return state

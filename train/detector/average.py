"""A detector made by averaging trained detectors' weights (a config's ``average_of``), no training.

Detectors fine-tuned from one starting point stay close in weight space, so their element-wise mean
(:func:`train.ocr.average.averaged_model`) detects like a blend of them at the cost of one model: the
two-row fine-tune averaged with the detector it started from kept that detector's held-out recall and
precision while finding more two-row plates (docs/measurements.md, "The detector and two-row plates").
The average is scored on the real validation photos as a training epoch is, and its threshold chosen
the same way; ``anpr export`` chooses the shipped threshold again on the int8 model.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from train.detection_metrics import choose_threshold, detection_scores
from train.detector.config import DetectorTrainConfig
from train.detector.data import real_data, validation_set
from train.model_card import sha256_file
from train.ocr.average import averaged_model

log = logging.getLogger(__name__)


def average_detector(cfg: DetectorTrainConfig, run_dir: Path, data_root: Path, manifest: Path) -> dict:
    """Average ``cfg.average_of`` into ``run_dir/best.keras``, score it on the validation photos of
    ``cfg.real_sources`` (float) and return the state ``ship_detector`` writes the card from. Without
    validation photos the average is not scored and keeps the first detector's run threshold when its
    ``state.json`` lies beside it (else the decoder's default), which ``anpr export`` replaces anyway."""
    from edge.detector import DecodeParams
    from train.detector.train import detector_losses, predict_frame

    started = time.monotonic()
    model = averaged_model(cfg.average_of or [], detector_losses(cfg.offset_weight, cfg.size_weight))
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(cfg.model_dump_json(indent=1))
    model.save(run_dir / "best.keras")
    log.info("averaged the weights of %s", ", ".join(str(p) for p in cfg.average_of or []))
    have_data = data_root.is_dir() and cfg.real_sources
    val_photos, _ = real_data(data_root, manifest, cfg.real_sources, [], "val") if have_data else ([], [])
    validation = validation_set(val_photos)
    scores: dict = {}
    if validation:
        predictions = [(*predict_frame(model, frame, cfg), truth) for frame, truth in validation]
        threshold = choose_threshold(predictions)
        scores = detection_scores(predictions, threshold)
        log.info(
            "average: val recall %.1f %% precision %.1f %% ap50 %.1f (threshold %.2f)",
            scores["recall"],
            scores["precision"],
            scores["ap50"],
            threshold,
        )
    else:
        first_state = Path(cfg.average_of[0]).parent / "state.json"
        recorded = json.loads(first_state.read_text()) if first_state.is_file() else {}
        threshold = float(recorded.get("threshold", DecodeParams().score_threshold))
        log.warning("no validation photos: the average is not scored (threshold %.2f)", threshold)
    state = {
        "epoch": 0,
        "best": scores.get("ap50", -1.0),
        "best_epoch": 0,
        "best_scores": scores,
        "history": [],
        "threshold": threshold,
        "seconds": time.monotonic() - started,
        "average_of": [{"file": str(p), "sha256": sha256_file(Path(p))} for p in cfg.average_of or []],
    }
    (run_dir / "state.json").write_text(json.dumps(state, indent=1))
    return state

"""Handler of ``anpr train detector``: train, then optionally ship the model and its card."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST
from train.detector.config import DetectorTrainConfig
from train.model_card import ship_best, training_card, write_card


def run_train_detector(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from train.detector.average import average_detector
    from train.detector.train import train_detector

    cfg = DetectorTrainConfig.from_yaml(args.config)
    run_dir = args.run_dir or Path("runs") / cfg.name
    manifest = args.manifest or DEFAULT_MANIFEST
    if cfg.average_of:
        state = average_detector(cfg, run_dir, data_root(args.data_root), manifest)
        print(
            f"average of {len(cfg.average_of)} detectors: validation AP50 {state['best']:.1f} at threshold "
            f"{state['threshold']}; run folder {run_dir}"
        )
    else:
        state = train_detector(cfg, run_dir, data_root(args.data_root), manifest, resume=args.resume)
        scores = state.get("best_scores", {})
        print(
            f"best validation AP50 {state['best']:.1f} (recall {scores.get('recall', 0):.1f} %, precision "
            f"{scores.get('precision', 0):.1f} % at threshold {state.get('threshold')}) at epoch "
            f"{state['best_epoch']} after {state['seconds'] / 60:.1f} min; run folder {run_dir}"
        )
    if args.ship:
        ship_detector(cfg, run_dir, args.models, state, manifest)
    return 0


def ship_detector(cfg: DetectorTrainConfig, run_dir: Path, models: Path, state: dict, manifest: Path) -> Path:
    """Copy ``best.keras`` to ``models/detector.keras`` and write ``models/detector.json`` (the names the
    exporter and the edge runtime load, whatever the config's ``name``)."""
    from dataclasses import asdict

    import keras

    from edge.detector import SecondLook
    from train.detection_metrics import THRESHOLD_RULE
    from train.detector.model import OUTPUT_NAMES, STRIDE
    from train.detector.train import detector_losses

    target = ship_best(run_dir, models, "detector")
    model = keras.models.load_model(target, custom_objects=detector_losses(1, 1), compile=False)
    card = training_card(cfg, "detector", target, model, state, manifest, {"synthetic_scenes": cfg.synthetic_scenes})
    card.update(
        {
            "preprocessing": "edge.preprocess.prepare_detector_input (letterbox to the input size, RGB) then /255 for "
            "float models",
            "output_names": OUTPUT_NAMES,
            "outputs": {
                "heatmap": "plate-centre probability per cell (sigmoid)",
                "offset": "centre position inside its cell, x and y in cells (sigmoid)",
                "size": "log of box width and height in cells",
            },
            "decode": {
                "stride": STRIDE,
                "score_threshold": state["threshold"],
                "nms_iou": 0.45,
                "max_detections": 20,
                "threshold_rule": THRESHOLD_RULE + " (simulated int8, best epoch)",
                "second_look": asdict(SecondLook()),
            },
        }
    )
    if state.get("average_of"):
        card["training"]["average_of"] = state["average_of"]
    write_card(models / "detector.json", card)
    return target

"""Handler of ``anpr train ocr``: run training, then optionally ship the model and its card."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST
from train.model_card import ship_best, training_card, write_card
from train.ocr.config import OcrTrainConfig

log = logging.getLogger(__name__)


def run_train_ocr(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from train.ocr.average import average_ocr
    from train.ocr.train import train_ocr

    cfg = OcrTrainConfig.from_yaml(args.config)
    run_dir = args.run_dir or Path("runs") / cfg.name
    manifest = args.manifest or DEFAULT_MANIFEST
    root = data_root(args.data_root)
    if cfg.average_of:
        state = average_ocr(cfg, run_dir, root, manifest)
        print(
            f"average of {len(cfg.average_of)} readers: validation exact match {state['best_exact']:.2f} %; "
            f"run folder {run_dir}"
        )
    else:
        state = train_ocr(cfg, run_dir, root, manifest, resume=args.resume)
        print(
            f"best validation exact match {state['best_exact']:.2f} % at epoch {state['best_epoch']} "
            f"after {state['seconds'] / 60:.1f} min; run folder {run_dir}"
        )
    if args.ship:
        ship_ocr(cfg, run_dir, args.models, state, manifest)
    return 0


def ship_ocr(cfg: OcrTrainConfig, run_dir: Path, models: Path, state: dict, manifest: Path) -> Path:
    """Copy ``best.keras`` to ``models/ocr.keras`` and write ``models/ocr.json`` (the names ``anpr export``,
    ``evaluate`` and ``run`` load, whatever the config's ``name``: a ``quick`` reader ships as a reader)."""
    import keras

    from edge.text import ALPHABET

    target = ship_best(run_dir, models, "ocr")
    model = keras.models.load_model(target, compile=False)
    steps, classes = model.output.shape[1:]
    synthetic = {"synthetic_plates": cfg.synthetic_count}
    if cfg.scene_plates:
        synthetic["synthetic_scenes_cut_for_plates"] = cfg.scene_plates
    if cfg.two_row_count:
        synthetic["synthetic_two_row_plates_laid_out"] = cfg.two_row_count
    card = training_card(cfg, "ocr", target, model, state, manifest, synthetic)
    card.update(
        {
            "preprocessing": "edge.preprocess.prepare_ocr_input (box grown by margin_x/margin_y, cut, stretched to "
            "the input size, converted to the colour order) then /255 for float models",
            "output": {
                "name": "probs",
                "shape": [int(steps), int(classes)],
                "semantics": (
                    "softmax per character slot; class 0 = empty slot, class i = alphabet[i-1]"
                    if cfg.head == "slots"
                    else "softmax per horizontal step; class 0 = CTC blank, class i = alphabet[i-1]"
                )
                + "; decode with edge.ctc.decode_text(probs, alphabet, decoder)",
            },
            "decoder": cfg.head,
            "alphabet": ALPHABET,
            "blank_index": 0,
            "max_length": cfg.max_length,
            "read_crops": cfg.read_crops.model_dump(),
        }
    )
    if state.get("average_of"):
        card["training"]["average_of"] = state["average_of"]
    write_card(models / "ocr.json", card)
    log.info("shipped %s and %s", target, models / "ocr.json")
    return target

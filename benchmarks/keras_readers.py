"""Trained readers (``.keras`` files: run folders' ``best.keras``, ``models/ocr.keras``) scored in float on
the held-out crops, one crop each, as ``anpr train ocr`` scores its epochs: to compare runs before any of
them is shipped and exported.

    python benchmarks/keras_readers.py --data-root ../shared/data models/ocr.keras runs/ocr_gpu_ft_low/best.keras

Prints exact and character accuracy, overall and per group, for each file (``--json`` writes them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST
from train.metrics import group_summary, grouped_scores
from train.ocr.config import OcrTrainConfig

#: The held-out sources every shipped reader is compared on.
SOURCES = ["us_crops", "br_crops", "tunisia", "france", "romania"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path, help=".keras readers")
    parser.add_argument("--data-root", type=Path, default=None, help="shared datasets or a crop pack")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--sources", nargs="+", default=SOURCES)
    parser.add_argument("--json", type=Path, help="write the scores here")
    args = parser.parse_args(argv)
    import keras

    from train.ocr.data import load_real_crops, prepare_real
    from train.ocr.train import read_batch

    crops = load_real_crops(data_root(args.data_root), args.manifest, args.sources, "val")
    if not crops:
        parser.error("no held-out crops found (set --data-root)")
    inputs = prepare_real(crops, OcrTrainConfig().input)  # every reader shipped so far: 48x160 grey
    results = {}
    for path in args.models:
        try:
            model = keras.models.load_model(path, compile=False)
        except (ValueError, OSError) as exc:
            parser.error(f"{path}: not a readable .keras model ({exc})")
        if tuple(model.input_shape[1:]) != inputs.shape[1:]:
            parser.error(f"{path}: input {model.input_shape[1:]}, not the 48x160 grey crops this script cuts")
        reads = read_batch(model, inputs)
        scores = grouped_scores(zip([c.group for c in crops], [c.text for c in crops], reads))
        results[str(path)] = scores
        print(
            f"{path}: exact {scores['exact_match']:.2f} %, char {scores['char_accuracy']:.2f} %",
            f"({group_summary(scores)})",
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Detector precision with the plates the annotations leave unmarked left out of it.

The held-out photos (mostly the Romanian dash-cam frames) show plates their annotations do not mark;
a detector that finds one is counted wrong. ``train/data/labels/boxes/<source>.json`` lists the
unmarked plates the project found and checked by eye (``benchmarks/unmarked_candidates.py``). This
script scores detectors as ``anpr evaluate`` does (the card's threshold and second look) and again with
every detection of such a plate (IoU >= 0.5 with it and with no marked plate) neither right nor wrong:
recall is the same, precision and AP50 are not charged for plates nobody marked.

    python benchmarks/detector_unmarked_precision.py --data ../shared/data/france ../shared/data/tunisia \
        ../shared/data/romania --models models SPARE
"""

from __future__ import annotations

import argparse
import logging
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge.boxes import iou_matrix
from edge.detector import PlateDetector
from edge.imageio import read_image
from train.data.added_boxes import added_boxes
from train.data.annotations import read_dataset
from train.data.splits import load_manifest, select_split
from train.detection_metrics import detection_scores
from train.evaluate_detection import AP_THRESHOLD, load_detector

log = logging.getLogger(__name__)


def without_unmarked(
    boxes: np.ndarray, scores: np.ndarray, truth: np.ndarray, unmarked: np.ndarray, iou: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``boxes`` and ``scores`` less the detections that overlap an ``unmarked`` plate by ``iou`` or more
    and no ``truth`` box by as much."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    if not len(boxes) or not len(unmarked):
        return boxes, np.asarray(scores, np.float32)
    on_unmarked = iou_matrix(boxes, unmarked).max(axis=1) >= iou
    on_truth = iou_matrix(boxes, truth).max(axis=1) >= iou if len(truth) else np.zeros(len(boxes), bool)
    keep = ~(on_unmarked & ~on_truth)
    return boxes[keep], np.asarray(scores, np.float32)[keep]


def photos(data: list[Path], manifest: Path, split: str) -> list[tuple[str, Path, np.ndarray, np.ndarray]]:
    """(source, image path, marked boxes, project-marked unmarked boxes) per photo of ``split``."""
    loaded = load_manifest(manifest)
    out = []
    for directory in data:
        dataset = read_dataset(directory)
        extra = added_boxes(dataset)
        marked: dict[str, list] = defaultdict(list)
        for a in select_split(dataset, loaded, split).annotations:
            if a.box is not None:
                marked[a.image].append(a.box.as_list())
        for image, boxes in sorted(marked.items()):
            unmarked = np.asarray([b.as_list() for b in extra.get(image, [])], np.float32).reshape(-1, 4)
            out.append((directory.name, dataset.images_dir / image, np.asarray(boxes, np.float32), unmarked))
    return out


def score(models: Path, items: list, use_float: bool = False, threshold: float | None = None) -> dict[str, dict]:
    """Per source and ``all``: the shared annotations' scores and ``unmarked_left_out`` ones, at the card's
    threshold or ``threshold``."""
    loaded = load_detector(models, use_float)
    if loaded is None:
        raise SystemExit(f"{models}: no detector card")
    detector, _ = loaded
    threshold = threshold or detector.params.score_threshold
    wide = PlateDetector(detector.runner, detector.spec, replace(detector.params, score_threshold=AP_THRESHOLD))
    plain, fair = defaultdict(list), defaultdict(list)
    for source, path, truth, unmarked in items:
        found = wide.detect(read_image(path))
        boxes = np.asarray([d.box.as_list() for d in found], np.float32).reshape(-1, 4)
        scores = np.asarray([d.score for d in found], np.float32)
        for group in (source, "all"):
            plain[group].append((boxes, scores, truth))
            fair[group].append((*without_unmarked(boxes, scores, truth, unmarked), truth))
    out = {}
    for group in plain:
        out[group] = detection_scores(plain[group], threshold)
        out[group]["unmarked_left_out"] = detection_scores(fair[group], threshold)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--models", type=Path, nargs="+", default=[Path("models")])
    parser.add_argument("--split", choices=["train", "val"], default="val")
    parser.add_argument("--manifest", type=Path, default=Path("train/splits.json"))
    parser.add_argument("--float", action="store_true", help="the float32 detectors instead of int8")
    parser.add_argument("--threshold", type=float, help="score threshold (default: each card's)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    items = photos(args.data, args.manifest, args.split)
    print("models  group  boxes  recall  precision  AP50  |  unmarked left out: precision  AP50")
    for models in args.models:
        for group, s in score(models, items, args.float, args.threshold).items():
            u = s["unmarked_left_out"]
            print(
                f"{models}  {group}  {s['n']}  {s['recall']:.2f}  {s['precision']:.2f}  {s['ap50']:.2f}  |  "
                f"{u['precision']:.2f}  {u['ap50']:.2f}"
            )


if __name__ == "__main__":
    main()

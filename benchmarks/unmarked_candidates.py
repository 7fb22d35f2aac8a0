"""Candidate unmarked plates: detections that overlap no marked box, with a contact sheet to review.

Some shared sources mark only some plates of a photo (the Romanian dash-cam frames leave many passing
plates unmarked). Training then teaches the detector that those plates are background. This script
runs the shipped detector (second look on, at a low threshold) over one side of the split and lists
every detection whose IoU with each marked box is under ``--max-iou``, numbered on a contact sheet,
so a person can say which are plates; the plates kept go into ``train/data/labels/boxes/<source>.json``
(``train/data/added_boxes.py``), never into the shared data.

    python benchmarks/unmarked_candidates.py --data ../shared/data/romania --split train \
        --json runs/unmarked/romania.json --sheet runs/unmarked/romania.png
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge.boxes import iou_matrix
from edge.detector import PlateDetector
from edge.imageio import read_image
from train.evaluate import dataset_rows
from train.evaluate_detection import load_detector

log = logging.getLogger(__name__)


def unmarked(truth: np.ndarray, boxes: np.ndarray, max_iou: float) -> list[int]:
    """Indices of ``boxes`` whose IoU with every box of ``truth`` is under ``max_iou``."""
    if not len(boxes):
        return []
    if not len(truth):
        return list(range(len(boxes)))
    best = iou_matrix(boxes, truth).max(axis=1)
    return [i for i in range(len(boxes)) if best[i] < max_iou]


def candidates(detector: PlateDetector, rows: list, max_iou: float) -> list[dict]:
    """Every unmarked detection of the photos in ``rows`` (image path, annotation, group), likeliest first
    within each photo."""
    by_image: dict[Path, list] = defaultdict(list)
    for path, annotation, _ in rows:
        if annotation.box is not None:
            by_image[path].append(annotation)
    found = []
    for path, marked in sorted(by_image.items()):
        image = read_image(path)
        truth = np.asarray([a.box.as_list() for a in marked], np.float32)
        detections = detector.detect(image)
        boxes = np.asarray([d.box.as_list() for d in detections], np.float32).reshape(-1, 4)
        scores = np.asarray([d.score for d in detections], np.float32)
        for i in unmarked(truth, boxes, max_iou):
            found.append(
                {
                    "source": marked[0].source,
                    "image": marked[0].image,
                    "path": str(path),
                    "box": [round(float(v), 1) for v in boxes[i]],
                    "score": round(float(scores[i]), 3),
                }
            )
    return found


def contact_sheet(found: list[dict], path: Path, columns: int = 6, tile: tuple[int, int] = (240, 120)) -> None:
    """Numbered crops (the box with some context around it) of ``found``, ``columns`` to a row."""
    import cv2

    tiles = []
    for number, item in enumerate(found):
        image = read_image(Path(item["path"]))
        x1, y1, x2, y2 = item["box"]
        w, h = x2 - x1, y2 - y1
        crop = image[
            int(max(0, y1 - 1.5 * h)) : int(min(image.shape[0], y2 + 1.5 * h)),
            int(max(0, x1 - 0.5 * w)) : int(min(image.shape[1], x2 + 0.5 * w)),
        ]
        shown = cv2.resize(crop, tile)
        cv2.putText(shown, f"{number} {item['score']:.2f}", (2, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 255), 1)
        tiles.append(shown)
    if not tiles:
        return
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    sheet = np.vstack([np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)])
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), sheet)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--split", choices=["all", "train", "val"], default="train")
    parser.add_argument("--manifest", type=Path, default=Path("train/splits.json"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--min-score", type=float, default=0.3, help="detector threshold for candidates")
    parser.add_argument("--max-iou", type=float, default=0.1, help="largest IoU with a marked box")
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--sheet", type=Path, help="contact sheet PNG of the numbered candidates")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    loaded = load_detector(args.models, use_float=False)
    if loaded is None:
        raise SystemExit(f"{args.models}: no detector card")
    detector, _ = loaded
    detector = PlateDetector(detector.runner, detector.spec, replace(detector.params, score_threshold=args.min_score))
    found = candidates(detector, dataset_rows(args.data, args.split, args.manifest), args.max_iou)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(found, indent=1))
    if args.sheet:
        contact_sheet(found, args.sheet)
    log.info("%d unmarked detections at or above %.2f -> %s", len(found), args.min_score, args.json)


if __name__ == "__main__":
    main()

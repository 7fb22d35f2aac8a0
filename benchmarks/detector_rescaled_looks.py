"""Would the detector find more plates, or box them better, if it also looked at the frame at another
scale? Two decoding-time ideas, measured on the held-out photos (no retraining):

- a **zoomed-out look**: the frame shrunk by ``--zoom-out`` on a canvas of the letterbox's padding
  colour, so a close-up plate appears at the sizes most training plates have; alone, and merged into the
  card's detections (a candidate at least ``--min-width`` of the frame wide takes the zoomed-out box and
  score when that look is surer);
- a **closer look at big candidates**: the candidates the card's second look skips (its window would
  be about the whole frame) looked at again in a window ``--context`` times their size; the box found
  there replaces theirs (the score stays).

    python benchmarks/detector_rescaled_looks.py \
        --data ../shared/data/france ../shared/data/tunisia ../shared/data/romania

Prints recall and precision at the card's threshold and AP50 for the card's detector and each variant.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge.boxes import iou_matrix, nms
from edge.imageio import read_image
from train.data.splits import DEFAULT_MANIFEST
from train.detection_metrics import detection_scores
from train.evaluate import dataset_rows
from train.evaluate_detection import AP_THRESHOLD, load_detector

PAD = 114  # the letterbox's padding colour


def _zoomed_out(look, image: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """One look at ``image`` shrunk by ``factor`` (boxes in the image's pixels)."""
    h, w = image.shape[:2]
    canvas = np.full((round(h / factor), round(w / factor), 3), PAD, np.uint8)
    canvas[:h, :w] = image
    return look._look(canvas, AP_THRESHOLD)


def _merge_max(default, zoomed, width: int, min_width: float, nms_iou: float):
    """The card's detections, where a wide one takes the zoomed-out box and score when that is surer."""
    boxes, scores = default[0].copy(), default[1].copy()
    other, other_scores = zoomed
    for i in range(len(boxes)):
        if boxes[i, 2] - boxes[i, 0] < min_width * width or not len(other):
            continue
        mine = np.flatnonzero(iou_matrix(boxes[i : i + 1], other)[0] >= 0.2)
        if mine.size:
            j = mine[np.argmax(other_scores[mine])]
            if other_scores[j] > scores[i]:
                boxes[i], scores[i] = other[j], other_scores[j]
    keep = nms(boxes, scores, nms_iou, 20)
    return boxes[keep], scores[keep]


def _closer_on_big(look, detector, image: np.ndarray, default, context: float):
    """Candidates (score >= 0.2) the card's second look skips (its window would be about the whole frame),
    re-boxed from the second look's window at ``context`` times their size instead."""
    boxes, scores = default[0].copy(), default[1].copy()
    h, w = image.shape[:2]
    second = detector.params.second_look
    closer = replace(second, context=context)
    for i in range(len(boxes)):
        if scores[i] < 0.2 or detector._window(boxes[i], w, h, second) is not None:
            continue
        window = detector._window(boxes[i], w, h, closer)
        if window is None:
            continue
        x1, y1, x2, y2 = window
        near, near_scores = look._look(image[y1:y2, x1:x2], AP_THRESHOLD)
        if not len(near):
            continue
        near = near + np.asarray([x1, y1, x1, y1], np.float32)
        mine = np.flatnonzero(iou_matrix(boxes[i : i + 1], near)[0] >= second.match_iou)
        if mine.size:
            boxes[i] = near[mine[np.argmax(near_scores[mine])]]
    return boxes, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", type=Path, required=True, help="folders with boxes on full photos")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--split", default="val")
    parser.add_argument("--zoom-out", nargs="+", type=float, default=[0.5, 0.7])
    parser.add_argument("--min-width", nargs="+", type=float, default=[0.08, 0.12, 0.18])
    parser.add_argument("--context", nargs="+", type=float, default=[2.0, 3.0, 4.0])
    args = parser.parse_args(argv)
    loaded = load_detector(args.models, use_float=False)
    if loaded is None:
        parser.error(f"{args.models}: no detector card")
    detector, _ = loaded
    wide = type(detector)(detector.runner, detector.spec, replace(detector.params, score_threshold=AP_THRESHOLD))
    one = type(detector)(detector.runner, detector.spec, replace(wide.params, second_look=None))
    by_image: dict[Path, list] = {}
    for path, annotation, _group in dataset_rows(args.data, args.split, DEFAULT_MANIFEST):
        if annotation.box is not None:
            by_image.setdefault(path, []).append(annotation.box.as_list())
    variants: dict[str, list] = {}
    for path, truth_boxes in sorted(by_image.items()):
        image = read_image(path)
        truth = np.asarray(truth_boxes, np.float32)
        found = wide.detect(image)
        default = (
            np.asarray([d.box.as_list() for d in found], np.float32).reshape(-1, 4),
            np.asarray([d.score for d in found], np.float32),
        )
        variants.setdefault("card's detector (second look)", []).append((*default, truth))
        for factor in args.zoom_out:
            zoomed = _zoomed_out(one, image, factor)
            variants.setdefault(f"zoomed out {factor} alone", []).append((*zoomed, truth))
            for min_width in args.min_width:
                merged = _merge_max(default, zoomed, image.shape[1], min_width, detector.params.nms_iou)
                variants.setdefault(f"zoomed out {factor} merged, >= {min_width} wide", []).append((*merged, truth))
        for context in args.context:
            closer = _closer_on_big(one, detector, image, default, context)
            variants.setdefault(f"closer look at big candidates, context {context}", []).append((*closer, truth))
    threshold = detector.params.score_threshold
    print(f"{len(by_image)} photos, threshold {threshold}")
    for name, items in variants.items():
        scores = detection_scores(items, threshold)
        print(
            f"{name:48s} recall {scores['recall']:6.2f}  precision {scores['precision']:6.2f}",
            f" AP50 {scores['ap50']:6.2f}",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

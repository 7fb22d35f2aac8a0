"""``anpr evaluate`` for rows with a box on a full image: detection and end-to-end reads.

- ``detection``: recall and precision at IoU >= 0.5 at the card's score threshold, ``ap50`` over all
  scores, ``n`` (ground-truth boxes), ``by_group`` and ``missed`` (each box not found: image as in
  ``annotations.csv``, box, its
  width as a fraction of the image width, and the best IoU of a kept detection, to tell "not seen"
  from "box off"), and ``false_detections`` (each kept detection that matched no box, as the precision
  counts them: image, box, score, and its best IoU with a ground-truth box: under 0.5 a box off or
  nothing marked there, 0.5 or more a second box on a plate already found).
- ``e2e``: detect -> crop -> read -> the agent's default filters on each full image; a plate with a
  text counts as read when a published read has the same text and IoU >= 0.5 with it.
  ``exact_match``, ``n``, ``by_group``, ``false_reads_per_image`` and ``misses`` (image, text, and what
  was read on that box, null when nothing was), ``false_reads`` (each read counted in
  ``false_reads_per_image``: image, box, text); ``ms_per_image`` is the median
  pipeline time.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge.boxes import iou_matrix
from edge.config import FilterConfig
from edge.detector import DecodeParams, PlateDetector
from edge.errors import AnprError
from edge.filters import ReadFilter
from edge.imageio import read_image
from edge.metadata import InputSpec
from train.detection_metrics import detection_scores, match

log = logging.getLogger(__name__)
AP_THRESHOLD = 0.05  # decode threshold used to trace the precision-recall curve for AP50


def load_detector(
    models: Path, use_float: bool, second_look: bool = True, mirror: bool | None = None, sideways: bool | None = None
) -> tuple[PlateDetector, dict] | None:
    """The detector from ``models/`` (int8, or float32 with ``use_float``) with the card's decoding, its
    second look included unless ``second_look`` is False, its mirror and sideways looks as ``mirror`` and
    ``sideways`` say (None: as the card says); None when there is no detector card."""
    from edge.models import load_card
    from edge.runtime.interpreter import TFLiteModel

    if not (models / "detector.json").is_file():
        return None
    card = load_card(models, "detector")
    precision = "float32" if use_float else "int8"
    entry = card.get("tflite", {}).get(precision)
    if not entry or not (models / entry["file"]).is_file():
        raise AnprError(f"{models}: no {precision} detector TFLite (run 'make export')")
    model = TFLiteModel(models / entry["file"], output_names=card["output_names"])
    params = DecodeParams.from_card(card["decode"], second_look=second_look, mirror=mirror, sideways=sideways)
    info = {
        "file": entry["file"],
        "backend": model.backend,
        "precision": precision,
        "threshold": params.score_threshold,
        "second_look": params.second_look is not None,
        "mirror": params.mirror,
        "sideways": params.sideways,
    }
    return PlateDetector(model, InputSpec.model_validate(card["input"]), params), info


def evaluate_images(detector: PlateDetector, recognizer, rows: list, left_out: list[str] | None = None) -> dict:
    """``rows``: (image path, annotation, group) for every row with a box; returns detection and e2e. Images
    that cannot be read are skipped with a warning (and their message added to ``left_out``)."""
    by_image: dict[Path, list] = defaultdict(list)
    for path, annotation, group in rows:
        by_image[path].append((annotation, group))
    threshold = detector.params.score_threshold
    wide = PlateDetector(detector.runner, detector.spec, replace(detector.params, score_threshold=AP_THRESHOLD))
    filters = ReadFilter(FilterConfig(), detector.params.sideways)
    det_items, det_by_group = [], defaultdict(list)
    e2e_hits, e2e_by_group, times = [], defaultdict(list), []
    missed, misread, false_boxes, false_reads = [], [], [], []
    for path, items in sorted(by_image.items()):
        try:
            image = read_image(path)
        except AnprError as exc:
            log.warning("skipped: %s", exc)
            if left_out is not None and str(exc) not in left_out:
                left_out.append(str(exc))
            continue
        truth = np.asarray([a.box.as_list() for a, _ in items], np.float32)
        found = wide.detect(image)
        boxes = np.asarray([d.box.as_list() for d in found], np.float32).reshape(-1, 4)
        scores = np.asarray([d.score for d in found], np.float32)
        det_items.append((boxes, scores, truth))
        kept = scores >= threshold
        missed += _missed_boxes(items[0][0].image, image.shape[1], truth, boxes[kept])
        false_boxes += _false_detections(items[0][0].image, truth, boxes[kept], scores[kept])
        for group in {g for _, g in items}:
            mine = np.asarray([a.box.as_list() for a, g in items if g == group], np.float32)
            det_by_group[group].append((boxes, scores, mine))
        # end to end, as the agent does on one frame
        started = time.perf_counter()
        reads = []
        for det in detector.detect(image):
            if not filters.keep_detection(det.box, det.score):
                continue
            decoded = recognizer.read(image, det.box)
            if filters.keep_read(decoded.text, decoded.confidence):
                reads.append((det.box.as_list(), decoded.text))
        times.append((time.perf_counter() - started) * 1000)
        read_boxes = np.asarray([b for b, _ in reads], np.float32).reshape(-1, 4)
        overlaps = iou_matrix(truth, read_boxes) if len(reads) else np.zeros((len(truth), 0))
        matched_reads = set()
        for i, (annotation, group) in enumerate(items):
            if not annotation.text:
                continue
            hit = any(overlaps[i, j] >= 0.5 and reads[j][1] == annotation.text for j in range(len(reads)))
            matched_reads |= {j for j in range(len(reads)) if overlaps[i, j] >= 0.5 and reads[j][1] == annotation.text}
            e2e_hits.append(hit)
            e2e_by_group[group].append(hit)
            if not hit:
                on_box = [reads[j][1] for j in range(len(reads)) if overlaps[i, j] >= 0.5] or [None]
                misread.append({"image": annotation.image, "text": annotation.text, "read": on_box[0]})
        wrong = [
            j
            for j in range(len(reads))
            if j not in matched_reads
            and not any(overlaps[i, j] >= 0.5 and not items[i][0].text for i in range(len(items)))
        ]
        false_reads += [
            {"image": items[0][0].image, "box": [round(float(v), 1) for v in reads[j][0]], "read": reads[j][1]}
            for j in wrong
        ]
    detection = detection_scores(det_items, threshold)
    detection["by_group"] = {g: detection_scores(v, threshold) for g, v in sorted(det_by_group.items())}
    detection["missed"] = missed
    detection["false_detections"] = false_boxes

    def e2e_scores(hits: list[bool]) -> dict:
        return {"exact_match": 100.0 * sum(hits) / len(hits) if hits else 0.0, "n": len(hits)}

    e2e = e2e_scores(e2e_hits)
    e2e["by_group"] = {g: e2e_scores(h) for g, h in sorted(e2e_by_group.items())}
    e2e["false_reads_per_image"] = len(false_reads) / max(1, len(det_items))
    e2e["misses"] = misread
    e2e["false_reads"] = false_reads
    return {"detection": detection, "e2e": e2e, "ms_per_image": float(np.median(times)) if times else 0.0}


def _missed_boxes(image: str, image_width: int, truth: np.ndarray, kept: np.ndarray) -> list[dict]:
    """The ground-truth boxes no kept detection overlaps with IoU >= 0.5 (the ``missed`` entries)."""
    overlaps = iou_matrix(truth, kept) if len(kept) else np.zeros((len(truth), 0))
    best = overlaps.max(axis=1) if overlaps.shape[1] else np.zeros(len(truth))
    return [
        {
            "image": image,
            "box": [round(float(v), 1) for v in box],
            "width_fraction": round(float(box[2] - box[0]) / image_width, 4),
            "best_iou": round(float(iou), 3),
        }
        for box, iou in zip(truth, best)
        if iou < 0.5
    ]


def _false_detections(image: str, truth: np.ndarray, kept: np.ndarray, scores: np.ndarray) -> list[dict]:
    """The kept detections that match no ground-truth box (greedy matching, as the precision counts
    them), with their best IoU with any ground-truth box (the ``false_detections`` entries)."""
    hits = match(kept, scores, truth)
    overlaps = iou_matrix(kept, truth) if len(kept) and len(truth) else np.zeros((len(kept), 0))
    best = overlaps.max(axis=1) if overlaps.shape[1] else np.zeros(len(kept))
    return [
        {
            "image": image,
            "box": [round(float(v), 1) for v in box],
            "score": round(float(score), 3),
            "best_iou": round(float(iou), 3),
        }
        for box, score, iou, hit in zip(kept, scores, best, hits)
        if not hit
    ]

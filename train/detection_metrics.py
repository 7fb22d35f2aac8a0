"""Detection metrics: greedy IoU matching, recall/precision at a threshold, AP at IoU 0.5."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from edge.boxes import iou_matrix


def match(pred_boxes: np.ndarray, pred_scores: np.ndarray, truth: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """For each prediction (in descending score order) whether it matched a not-yet-matched truth box.

    Returns a boolean array aligned with the *input* order of predictions.
    """
    pred_boxes = np.asarray(pred_boxes, np.float32).reshape(-1, 4)
    truth = np.asarray(truth, np.float32).reshape(-1, 4)
    hits = np.zeros(len(pred_boxes), bool)
    if len(pred_boxes) == 0 or len(truth) == 0:
        return hits
    overlaps = iou_matrix(pred_boxes, truth)
    used = np.zeros(len(truth), bool)
    for i in np.argsort(-np.asarray(pred_scores), kind="stable"):
        candidates = np.where(~used & (overlaps[i] >= iou))[0]
        if candidates.size:
            j = candidates[np.argmax(overlaps[i, candidates])]
            used[j] = True
            hits[i] = True
    return hits


def average_precision(scores: np.ndarray, hits: np.ndarray, n_truth: int) -> float:
    """Area under the interpolated precision-recall curve (all-point interpolation), 0-100."""
    if n_truth == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores), kind="stable")
    tp = np.cumsum(np.asarray(hits)[order])
    fp = np.cumsum(~np.asarray(hits)[order])
    recall = np.concatenate([[0.0], tp / n_truth, [tp[-1] / n_truth if tp.size else 0.0]])
    precision = np.concatenate([[1.0], tp / np.maximum(tp + fp, 1), [0.0]])
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    return float(100.0 * np.sum((recall[1:] - recall[:-1]) * precision[1:]))


def detection_scores(
    images: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], threshold: float, iou: float = 0.5
) -> dict:
    """``recall``, ``precision`` (at ``threshold``), ``ap50`` and ``n`` over (boxes, scores, truth) per image."""
    all_scores, all_hits, n_truth, tp, n_pred = [], [], 0, 0, 0
    for boxes, scores, truth in images:
        hits = match(boxes, scores, truth, iou)
        all_scores.append(np.asarray(scores, np.float32))
        all_hits.append(hits)
        n_truth += len(truth)
        keep = np.asarray(scores) >= threshold
        kept = match(np.asarray(boxes).reshape(-1, 4)[keep], np.asarray(scores)[keep], truth, iou)
        tp += int(kept.sum())
        n_pred += int(keep.sum())
    scores_cat = np.concatenate(all_scores) if all_scores else np.zeros(0)
    hits_cat = np.concatenate(all_hits) if all_hits else np.zeros(0, bool)
    return {
        "recall": 100.0 * tp / n_truth if n_truth else 0.0,
        "precision": 100.0 * tp / n_pred if n_pred else 100.0,
        "ap50": average_precision(scores_cat, hits_cat, n_truth),
        "n": n_truth,
    }


THRESHOLD_RULE = "best validation recall at precision >= 95 % if that recall is >= 90 %, else best F1"
CANDIDATE_THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.1, 0.91, 0.05), 2))


def choose_threshold(
    images: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    min_precision: float = 95.0,
    min_recall: float = 90.0,
    candidates: Sequence[float] = CANDIDATE_THRESHOLDS,
) -> float:
    """The threshold with the best recall among those whose precision reaches ``min_precision``;
    when none does, or when that recall is under ``min_recall``, the threshold with the best F1.

    The default (:data:`THRESHOLD_RULE`) prefers F1 unless high precision costs few plates: a plate the
    detector drops is a lost read, while a false box still has to pass the reader's confidence, the
    site's formats and the tracker's vote before anything is published."""
    return choose_threshold_each(lambda _: images, min_precision, min_recall, candidates)


def choose_threshold_each(
    detections_at: Callable[[float], Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]],
    min_precision: float = 95.0,
    min_recall: float = 90.0,
    candidates: Sequence[float] = CANDIDATE_THRESHOLDS,
) -> float:
    """:func:`choose_threshold` for a detector whose detections depend on its threshold (the second
    look looks again only at candidates that can still pass it): ``detections_at(t)`` gives the
    (boxes, scores, truth) per image found with threshold ``t``."""
    results = [(t, detection_scores(detections_at(t), t)) for t in candidates]
    good = [(t, r) for t, r in results if r["precision"] >= min_precision]
    if good:
        best = max(good, key=lambda tr: (tr[1]["recall"], -tr[0]))
        if best[1]["recall"] >= min_recall:
            return float(best[0])
    f1 = [(t, 2 * r["recall"] * r["precision"] / max(1e-9, r["recall"] + r["precision"])) for t, r in results]
    return float(max(f1, key=lambda tf: tf[1])[0])

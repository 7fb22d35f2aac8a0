"""The plate detector on the device: letterbox the frame, run the model, decode centres, NMS.

The model is anchor-free (CenterNet-style) at one stride: a ``heatmap`` of plate centres
(sigmoid), an ``offset`` of the centre inside its cell (sigmoid, in cells) and a ``size``
(log of width and height in cells). Decoding and NMS run here in numpy.

A **second look** (``decode.second_look`` in the model card) runs the same model again on a window
around each of the few most likely candidates, so a small or doubtful plate is seen larger; the
candidate's score becomes the geometric mean of both looks and its box the one found up close.

A **mirror look** (``decode.mirror``) runs the first look on the frame and on its mirror image and
averages the two heatmaps (boxes from the unmirrored run): a plate looks like a plate both ways round,
while much of what looks like one by chance does not.

A **sideways look** (``decode.sideways``) runs the first look also on the frame turned a quarter
(:mod:`edge.sideways`), for photos stored on their side: the plates standing on end that it finds join
the frame's candidates, and a tall candidate's second look is taken on the turned frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from edge.boxes import iou_matrix, nms
from edge.metadata import InputSpec
from edge.preprocess import prepare_detector_input
from edge.runtime.interpreter import ModelLoadError
from edge.sideways import boxes_from_turned, boxes_to_turned, is_tall, turn
from edge.types import Box, Detection


@dataclass(frozen=True)
class SecondLook:
    """How candidates are looked at again (the card's ``decode.second_look``)."""

    context: float = 6.0
    """The window around a candidate is this many times its size (the larger of its width and its
    height, at the model input's aspect ratio)."""
    max_candidates: int = 4
    """Only the most likely candidates get a second look (each costs one more run of the model)."""
    sure_score: float = 0.9
    """Candidates the first look is at least this sure of keep it (a clear plate costs no second run)."""
    max_magnification: float = 6.0
    """Windows are at least the model input's width divided by this (tiny boxes are not blown up
    without end)."""
    max_window_fraction: float = 0.8
    """A window this large a share of the frame, both ways, is no closer look: the first score stands."""
    match_iou: float = 0.2
    """A detection in the window is the candidate's when their boxes overlap at least this much."""

    def __post_init__(self) -> None:
        if self.context <= 1 or self.max_magnification <= 0 or self.max_candidates < 0:
            raise ValueError("context must be over 1, max_magnification over 0, max_candidates at least 0")
        if not (0 < self.sure_score <= 1.01 and self.max_window_fraction > 0 and 0 < self.match_iou <= 1):
            raise ValueError("sure_score, max_window_fraction and match_iou must be fractions over 0")


@dataclass(frozen=True)
class DecodeParams:
    """Thresholds chosen on validation and stored in the model card."""

    stride: int = 4
    score_threshold: float = 0.35
    nms_iou: float = 0.45
    max_detections: int = 20
    second_look: SecondLook | None = None
    """None: one look. Otherwise candidates scoring at least ``second_look_min_score`` are looked at again."""
    second_look_min_score: float = 0.0
    """The candidates worth a second look: the square of the card's threshold, the lowest first score
    whose geometric mean with a sure second one (1.0) can still pass it."""
    mirror: bool = False
    """The first look also runs on the mirrored frame; the two heatmaps are averaged (one more run of
    the model per frame). Offsets and sizes come from the unmirrored run, so boxes do not move."""
    sideways: bool = False
    """The first look also runs on the frame turned a quarter, and the plates standing on end it finds (boxes
    taller than wide) join the candidates; tall candidates get their second look on the turned frame. For
    photos stored on their side; one more run of the model per frame."""

    @classmethod
    def from_card(
        cls,
        decode: dict,
        min_score: float = 0.0,
        second_look: bool = True,
        mirror: bool | None = None,
        sideways: bool | None = None,
    ) -> DecodeParams:
        """The card's ``decode`` section; ``min_score`` raises the threshold (the agent's
        ``filters.min_detection_score``); ``second_look=False`` turns the second look off; ``mirror``
        and ``sideways`` turn those looks on or off (None: as the card's ``decode`` says, off without it)."""
        threshold = max(float(decode["score_threshold"]), min_score)
        look = decode.get("second_look") if second_look else None
        try:
            look = SecondLook(**look) if look is not None else None
        except (TypeError, ValueError) as exc:
            raise ModelLoadError(
                f"detector card: bad decode.second_look {decode.get('second_look')!r}: {exc}"
            ) from None
        return cls(
            stride=int(decode["stride"]),
            score_threshold=threshold,
            nms_iou=float(decode["nms_iou"]),
            max_detections=int(decode["max_detections"]),
            second_look=look,
            second_look_min_score=threshold**2 if look is not None else 0.0,
            mirror=_card_flag(decode, "mirror") if mirror is None else mirror,
            sideways=_card_flag(decode, "sideways") if sideways is None else sideways,
        )


def _card_flag(decode: dict, key: str) -> bool:
    """A true/false key of the card's ``decode`` section (False when absent)."""
    value = decode.get(key, False)
    if not isinstance(value, bool):
        raise ModelLoadError(f"detector card: decode.{key} must be true or false, not {value!r}")
    return value


def local_maxima(heat: np.ndarray) -> np.ndarray:
    """Boolean mask of cells that are the maximum of their 3x3 neighbourhood."""
    padded = np.pad(heat, 1, constant_values=-np.inf)
    h, w = heat.shape
    neighbourhood = np.max(np.stack([padded[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)]), axis=0)
    return heat >= neighbourhood


def decode(
    heatmap: np.ndarray, offset: np.ndarray, size: np.ndarray, params: DecodeParams
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (N, 4) in model-input pixels and their scores, after NMS."""
    heat = heatmap[..., 0] if heatmap.ndim == 3 else heatmap
    peaks = local_maxima(heat) & (heat >= params.score_threshold)
    ys, xs = np.nonzero(peaks)
    if ys.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
    scores = heat[ys, xs]
    cx = (xs + offset[ys, xs, 0]) * params.stride
    cy = (ys + offset[ys, xs, 1]) * params.stride
    w = np.exp(np.clip(size[ys, xs, 0], -4, 6)) * params.stride
    h = np.exp(np.clip(size[ys, xs, 1], -4, 6)) * params.stride
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    keep = nms(boxes, scores, params.nms_iou, params.max_detections)
    return boxes[keep], scores[keep].astype(np.float32)


class PlateDetector:
    """Finds plates in a BGR frame; boxes come back in frame pixels, clipped to the frame."""

    def __init__(self, runner, spec: InputSpec, params: DecodeParams) -> None:
        self.runner, self.spec, self.params = runner, spec, params
        #: runs of the model for second looks so far (the agent's closing log line reports them)
        self.second_looks = 0
        #: runs of the model on mirrored frames so far
        self.mirror_looks = 0
        #: runs of the model on frames turned a quarter so far (first and second looks)
        self.sideways_looks = 0

    def detect(self, frame_bgr: np.ndarray, settled: Sequence[Box] = ()) -> list[Detection]:
        """Plates in ``frame_bgr``. Candidates overlapping a ``settled`` box (a plate already read, which
        the caller only needs to follow) get no second look: their first look decides."""
        look, mirror = self.params.second_look, self.params.mirror
        first = self.params.score_threshold
        if look is not None:
            first = min(first, self.params.second_look_min_score)
        boxes, scores = self._look(frame_bgr, first, mirror)
        turned = turn(frame_bgr) if self.params.sideways else None
        if turned is not None:
            boxes, scores = self._with_sideways(frame_bgr, turned, boxes, scores, first)
        if look is not None:
            boxes, scores = self._second_look(frame_bgr, boxes, scores, look, settled, turned)
        return [Detection(Box(*map(float, b)), float(s)) for b, s in zip(boxes, scores)]

    def candidates(self, frame_bgr: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """One plain look at ``frame_bgr`` (no second, mirrored or sideways look): boxes (N, 4, frame
        pixels, clipped) and scores of every candidate at least ``threshold`` likely, after NMS."""
        return self._look(frame_bgr, threshold)

    def _look(self, frame_bgr: np.ndarray, threshold: float, mirror: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """One run of the model (two with ``mirror``: the heatmap averaged with the mirrored frame's, turned
        back): boxes (frame pixels, clipped, non-empty) and scores of at least ``threshold``."""
        pixels, transform = prepare_detector_input(frame_bgr, self.spec)
        out = self.runner.run(pixels)
        heatmap = out["heatmap"]
        if mirror:
            self.mirror_looks += 1
            mirrored = self.runner.run(np.ascontiguousarray(np.flip(pixels, axis=-2)))["heatmap"]  # (.., W, C)
            heatmap = (np.asarray(heatmap, np.float32) + np.flip(np.asarray(mirrored, np.float32), axis=-2)) / 2
        params = replace(self.params, score_threshold=threshold)
        boxes, scores = decode(heatmap, out["offset"], out["size"], params)
        boxes = transform.to_frame(boxes)
        h, w = frame_bgr.shape[:2]
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        return boxes[keep], scores[keep]

    def _with_sideways(
        self, frame_bgr: np.ndarray, turned: np.ndarray, boxes: np.ndarray, scores: np.ndarray, threshold: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """The first look's candidates and the plates standing on end that a look at ``turned`` (the frame
        turned a quarter) finds (at least ``threshold``), overlaps resolved by NMS."""
        self.sideways_looks += 1
        found, found_scores = self._look(turned, threshold)
        found = boxes_from_turned(found, frame_bgr.shape[1])
        tall = is_tall(found)
        if not tall.any():
            return boxes, scores
        boxes = np.concatenate([boxes, found[tall]]).astype(np.float32)
        scores = np.concatenate([scores, found_scores[tall]]).astype(np.float32)
        keep = nms(boxes, scores, self.params.nms_iou, self.params.max_detections)
        return boxes[keep], scores[keep]

    def _second_look(
        self,
        frame_bgr: np.ndarray,
        boxes: np.ndarray,
        scores: np.ndarray,
        look: SecondLook,
        settled: Sequence[Box],
        turned: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rescore the most likely candidates from a window around each (a tall one's on ``turned``, the frame
        turned a quarter, when given), then keep those that pass."""
        boxes, scores = boxes.copy(), scores.copy()
        low, high = self.params.second_look_min_score, look.sure_score
        order = [int(i) for i in np.argsort(-scores, kind="stable") if low <= scores[i] < high]
        if settled and order:
            known = iou_matrix(boxes[order], np.asarray([b.as_list() for b in settled], np.float32)).max(axis=1)
            order = [i for i, overlap in zip(order, known) if overlap < look.match_iou]
        for i in order[: look.max_candidates]:
            sideways = turned is not None and bool(is_tall(boxes[i])[0])
            image = turned if sideways else frame_bgr
            box = boxes_to_turned(boxes[i], frame_bgr.shape[1])[0] if sideways else boxes[i]
            window = self._window(box, image.shape[1], image.shape[0], look)
            if window is None:
                continue  # the window would be about the whole frame: the first look stands
            x1, y1, x2, y2 = window
            self.second_looks += 1
            self.sideways_looks += sideways
            near, near_scores = self._look(image[y1:y2, x1:x2], self.params.second_look_min_score)
            near = near + np.asarray([x1, y1, x1, y1], np.float32)
            if sideways:
                near = boxes_from_turned(near, frame_bgr.shape[1])
            overlaps = iou_matrix(boxes[i : i + 1], near)[0] if len(near) else np.zeros(0)
            mine = np.flatnonzero(overlaps >= look.match_iou)
            if mine.size == 0:
                scores[i] = 0.0
                continue
            best = mine[np.argmax(near_scores[mine])]
            scores[i] = float(np.sqrt(scores[i] * near_scores[best]))
            boxes[i] = near[best]
        passing = scores >= self.params.score_threshold
        boxes, scores = boxes[passing], scores[passing]
        keep = nms(boxes, scores, self.params.nms_iou, self.params.max_detections)
        return boxes[keep], scores[keep]

    def _window(self, box: np.ndarray, width: int, height: int, look: SecondLook) -> tuple[int, int, int, int] | None:
        """The window (integer frame pixels, clipped) around ``box``, or None when it is about the frame."""
        aspect = self.spec.height / self.spec.width
        box_w, box_h = float(box[2] - box[0]), float(box[3] - box[1])
        win_w = max(look.context * box_w, look.context * box_h / aspect, self.spec.width / look.max_magnification)
        win_h = win_w * aspect
        if win_w >= look.max_window_fraction * width and win_h >= look.max_window_fraction * height:
            return None
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        x1, y1 = int(max(0.0, cx - win_w / 2)), int(max(0.0, cy - win_h / 2))
        x2, y2 = int(min(width, cx + win_w / 2)), int(min(height, cy + win_h / 2))
        return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None

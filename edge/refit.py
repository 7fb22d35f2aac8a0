"""Reading a plate from a box someone else drew: the box refitted by the detector when it is loose.

The reader learnt crops cut from boxes drawn tight around the plate (ours, and the detector's, which
learnt from ours). A box drawn looser (another annotator, another detector, a region of interest)
takes in grille, bumper and lettering around the plate, and the read suffers: on the held-out French
and Romanian plates a box 1.5x as large was read 58 % right against 93 % as annotated
(``benchmarks/box_tolerance.py``). When the read from the given box is unsure, the detector looks at a
window around the box; if it finds a plate well inside it (a smaller box overlapping it), that box is
read too and the surer read kept. A tight box reads surely and is never refitted, and a box the
detector finds no smaller plate in stands as given.

A crop given whole (no box) has nothing around it to look at: when its read is unsure, it is padded
with grey to twice the plate's size and the detector looks at that; a plate found in under half of the
crop (a loose cut, a vehicle's region) is read too and the surer read kept. Crops cut tight or with a
margin keep their read.

Only for boxes that did not come from our detector: the agent and ``POST /v1/recognize`` read the
detector's own boxes and do not refit them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from edge.boxes import iou_matrix
from edge.ctc import DecodedText
from edge.types import Box

if TYPE_CHECKING:
    from edge.detector import PlateDetector
    from edge.recognizer import PlateRecognizer


@dataclass(frozen=True)
class RefitParams:
    """How a given box is refitted (chosen on the held-out French and Romanian plates with their boxes
    scaled, widened, heightened and moved by ``benchmarks/box_tolerance.py``)."""

    context: float = 3.0
    """The detector's window is this many times the plate's size around the box: the larger of the box's
    width and three times its height (a plate's shape), at the detector input's aspect ratio."""
    min_score: float = 0.05
    """Detections at least this likely are considered (the best overlapping one is taken, so a low floor
    only widens the choice)."""
    min_iou: float = 0.1
    """A detection must overlap the given box at least this much (IoU) to be its plate."""
    max_area_ratio: float = 0.9
    """The detection is used only when its area is under this fraction of the given box's: a box that is
    not loose has nothing to gain from the detector's (less exact) one."""
    whole_context: float = 2.0
    """A whole image given as the plate (a crop) has nothing around it: it is padded, with the detector's
    letterbox grey, to this many times the plate's size (as ``context``) before the detector looks."""
    whole_max_area_ratio: float = 0.5
    """For a whole image, the detection is used only when its area is under this fraction of the image's:
    crops cut tight or with a margin (the US, Brazilian and Tunisian crops) keep their read, and a crop
    with the plate in a half or less of it (a vehicle's region, a loose cut) is refitted."""

    def __post_init__(self) -> None:
        fractions = (self.min_iou, self.max_area_ratio, self.whole_max_area_ratio)
        if (
            self.context < 1
            or self.whole_context < 1
            or not (0 <= self.min_score < 1 and all(0 < f <= 1 for f in fractions))
        ):
            raise ValueError(
                "context and whole_context must be at least 1; min_score, min_iou and the area ratios fractions"
            )


class BoxRefitter:
    """Finds the plate inside a given box with a :class:`edge.detector.PlateDetector` (one run of the
    model on a window around the box)."""

    def __init__(self, detector: PlateDetector, params: RefitParams | None = None) -> None:
        self.detector = detector
        self.params = params or RefitParams()
        #: runs of the detector so far
        self.looks = 0
        #: reads of a refitted box that replaced the given box's read (:func:`read_given_box`)
        self.replaced = 0

    def refit(self, image_bgr: np.ndarray, box: Box) -> Box | None:
        """The plate's box as the detector draws it inside ``box``, or None when it finds none smaller. A
        box taller than wide (a plate standing on end, :mod:`edge.sideways`) is not refitted: the plain
        look finds plates lying flat only."""
        p = self.params
        if box.height > box.width:
            return None
        window = self._window(box, image_bgr.shape[1], image_bgr.shape[0])
        if window is None:
            return None
        x1, y1, x2, y2 = window
        self.looks += 1
        found, scores = self.detector.candidates(image_bgr[y1:y2, x1:x2], p.min_score)
        if len(found) == 0:
            return None
        fitted, overlap = _best_overlapping(box, found + np.asarray([x1, y1, x1, y1], np.float32), scores)
        if overlap < p.min_iou or fitted.area >= p.max_area_ratio * box.area:
            return None
        return fitted

    def refit_whole(self, image_bgr: np.ndarray) -> Box | None:
        """The plate's box as the detector draws it in ``image_bgr``, an image given whole as the plate, or
        None when it finds none in under ``whole_max_area_ratio`` of the image. The image is padded to
        ``whole_context`` plate-sizes first, so that the plate is seen at a size the detector knows."""
        import cv2

        p = self.params
        height, width = image_bgr.shape[:2]
        if height > width:
            return None
        win_w = p.whole_context * max(width, 3.0 * height)
        win_h = win_w * self.detector.spec.height / self.detector.spec.width
        pad_x, pad_y = max(0, int((win_w - width) / 2)), max(0, int((win_h - height) / 2))
        grey = (self.detector.spec.pad_value,) * 3
        canvas = cv2.copyMakeBorder(image_bgr, pad_y, pad_y, pad_x, pad_x, cv2.BORDER_CONSTANT, value=grey)
        self.looks += 1
        found, scores = self.detector.candidates(canvas, p.min_score)
        if len(found) == 0:
            return None
        found = found - np.asarray([pad_x, pad_y, pad_x, pad_y], np.float32)
        found[:, [0, 2]] = found[:, [0, 2]].clip(0, width)
        found[:, [1, 3]] = found[:, [1, 3]].clip(0, height)
        fitted, overlap = _best_overlapping(Box(0.0, 0.0, float(width), float(height)), found, scores)
        if overlap < p.min_iou or not 0 < fitted.area < p.whole_max_area_ratio * width * height:
            return None
        return fitted

    def _window(self, box: Box, width: int, height: int) -> tuple[int, int, int, int] | None:
        """The detector's window around ``box`` (integer pixels, clipped), None when empty."""
        spec = self.detector.spec
        side = max(box.width, 3.0 * box.height)
        win_w = self.params.context * side
        win_h = win_w * spec.height / spec.width
        cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
        x1, y1 = int(max(0.0, cx - win_w / 2)), int(max(0.0, cy - win_h / 2))
        x2, y2 = int(min(width, cx + win_w / 2)), int(min(height, cy + win_h / 2))
        return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def _best_overlapping(box: Box, found: np.ndarray, scores: np.ndarray) -> tuple[Box, float]:
    """The detection in ``found`` (N, 4; N > 0) overlapping ``box`` best, weighing IoU by the square root of
    its score, and its IoU with ``box``."""
    overlaps = iou_matrix(np.asarray([box.as_list()], np.float32), found)[0]
    best = int(np.argmax(overlaps * np.sqrt(scores)))
    return Box(*map(float, found[best])), float(overlaps[best])


def read_given_box(
    recognizer: PlateRecognizer, refitter: BoxRefitter | None, image_bgr: np.ndarray, box: Box | None
) -> DecodedText:
    """``recognizer``'s read of the plate in ``box``, a box drawn by someone else (the whole image when
    None: a crop someone else cut). When the read is under the reader's ``accept_confidence`` and
    ``refitter`` finds the plate well inside the box (or in under half of the whole image), the plate is
    read again from the refitted box and the surer read kept."""
    read = recognizer.read(image_bgr, box)
    if refitter is None or read.confidence >= recognizer.crops.accept_confidence:
        return read
    fitted = refitter.refit_whole(image_bgr) if box is None else refitter.refit(image_bgr, box)
    if fitted is None:
        return read
    other = recognizer.read(image_bgr, fitted)
    if other.confidence <= read.confidence:
        return read
    refitter.replaced += 1
    return other

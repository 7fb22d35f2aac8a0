"""Plates in photos stored sideways: the image turned a quarter, and boxes carried between the two.

A phone photo whose orientation tag was lost on the way (stripped by a messenger, a web upload or a
dataset's export) is stored a quarter turn off: its plates stand on end, taller than wide, and the
detector and the reader, trained on upright plates, miss them. Turning the image a quarter makes such a
plate lie flat again (upright or upside down; the reader tries both).

Turns are counter-clockwise, as :func:`numpy.rot90` turns (``k=1``); a point ``(x, y)`` of an image
``width`` pixels wide lands at ``(y, width - x)`` of the turned one.
"""

from __future__ import annotations

import numpy as np

from edge.ctc import DecodedText
from edge.types import Box

SURE_CHARACTER = 0.9
"""A character read at least this surely counts for :func:`surest_read`."""


def turn(image: np.ndarray, quarters: int = 1) -> np.ndarray:
    """``image`` (H, W, ...) turned ``quarters`` quarter turns counter-clockwise (a contiguous copy)."""
    return np.ascontiguousarray(np.rot90(image, quarters))


def boxes_to_turned(boxes: np.ndarray, width: float) -> np.ndarray:
    """Boxes (N, 4) of an image ``width`` wide, in the pixels of that image turned once."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    return np.stack([boxes[:, 1], width - boxes[:, 2], boxes[:, 3], width - boxes[:, 0]], axis=1)


def boxes_from_turned(boxes: np.ndarray, width: float) -> np.ndarray:
    """Boxes (N, 4) found in an image ``width`` wide turned once, back in that image's pixels."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    return np.stack([width - boxes[:, 3], boxes[:, 0], width - boxes[:, 1], boxes[:, 2]], axis=1)


def box_in_turned(box: Box, width: float, quarters: int, height: float) -> Box:
    """``box`` of an image ``width`` x ``height`` in the pixels of that image turned ``quarters`` (1 or 3)."""
    if quarters == 1:
        return Box(*map(float, boxes_to_turned(np.asarray([box.as_list()]), width)[0]))
    if quarters == 3:
        return Box(height - box.y2, box.x1, height - box.y1, box.x2)
    raise ValueError(f"quarters must be 1 or 3, not {quarters}")


REGION_MARGIN = 2.0
""":func:`region_around` keeps this many times a box's larger side on each side of it: more than any
crop, levelling or uprighting of the reader reaches (within their 45-degree limit, :mod:`edge.slope`
looks less than twice the larger side past the box's edges)."""


def region_around(image: np.ndarray, box: Box | None) -> tuple[np.ndarray, Box | None]:
    """The part of ``image`` around ``box`` that the reader can look at (:data:`REGION_MARGIN`; clipped
    to the image, whole pixels) and ``box`` in its pixels; the whole image when ``box`` is None. Turning
    this region instead of the image reads a plate the same at a fraction of the copying."""
    if box is None:
        return image, None
    h, w = image.shape[:2]
    margin = REGION_MARGIN * max(box.width, box.height)
    x1, y1 = max(0, int(np.floor(box.x1 - margin))), max(0, int(np.floor(box.y1 - margin)))
    x2, y2 = min(w, int(np.ceil(box.x2 + margin))), min(h, int(np.ceil(box.y2 + margin)))
    if x2 <= x1 or y2 <= y1:
        return image, box
    return image[y1:y2, x1:x2], Box(box.x1 - x1, box.y1 - y1, box.x2 - x1, box.y2 - y1)


def surest_read(reads: list[DecodedText]) -> DecodedText:
    """Of reads of one plate turned different ways, the one with the most characters read at least
    :data:`SURE_CHARACTER` surely; ties go to the surest least-sure character, then to the first read.

    The least-sure character alone would prefer a short confident fragment (one letter read off a plate
    on end) to the whole plate read upright; upside down, a plate reads as fewer sure characters than
    upright (most glyphs are not symmetric under a half turn). Measured on the held-out plates each
    turned a quarter (``benchmarks/turned_photos.py``): 653 of 718 read, against 640 by the least-sure
    character alone; 662 are read upright."""
    if not reads:
        raise ValueError("no read to choose from")
    return max(reads, key=lambda r: (sum(c >= SURE_CHARACTER for c in r.char_confidences), r.confidence))


def is_tall(boxes: np.ndarray) -> np.ndarray:
    """Which boxes (N, 4) are taller than wide: a plate standing on end (or one seen steeply tilted)."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    return (boxes[:, 3] - boxes[:, 1]) > (boxes[:, 2] - boxes[:, 0])

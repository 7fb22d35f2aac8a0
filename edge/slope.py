"""Sloping plates: how steeply a plate's text runs across its crop, and the plate sheared level.

A plate seen from the side or from a tilted camera keeps its characters upright but its rows of text
slope. :func:`estimate_slope` finds the slope whose slanted rows gather the characters' vertical
strokes into the tightest band (the projection profile that varies most); :func:`level_plate` shears
the region around the plate vertically by that slope, so the text runs level and the characters stay
upright, and gives the plate's box in the sheared image. numpy and OpenCV only.
"""

from __future__ import annotations

import math

import numpy as np

from edge.types import Box


def estimate_slope(grey: np.ndarray, max_degrees: float = 30.0, step_degrees: float = 1.0, height: int = 48) -> float:
    """Degrees by which the text in the plate crop ``grey`` (2-D ``uint8``) falls from left to right
    (positive: the right end is lower in the image), to ``step_degrees`` within ``+-max_degrees``. The
    crop is first scaled to ``height`` rows (the reader's input height is a good choice). The search
    tries every third step, then the steps around the best of those. Ties and a crop without strokes
    give the smallest slope (0)."""
    import cv2

    if grey.ndim != 2 or grey.size == 0:
        raise ValueError(f"expected a non-empty 2-D grey crop, got shape {grey.shape}")
    if max_degrees <= 0 or step_degrees <= 0 or max_degrees >= 60:
        raise ValueError(f"bad slope search: max {max_degrees}, step {step_degrees} degrees")
    h, w = grey.shape
    width = max(8, round(w * height / h))
    small = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    strokes = np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)).ravel()
    ys, xs = np.mgrid[0:height, 0:width]
    ys, dx = ys.ravel().astype(np.float64), (xs.ravel() - (width - 1) / 2.0)
    steps = math.floor(max_degrees / step_degrees + 1e-9)
    offset = math.ceil(math.tan(math.radians(steps * step_degrees)) * width / 2) + 1
    scores: dict[int, float] = {}

    def score(k: int) -> float:
        if k not in scores:
            rows = np.rint(ys - math.tan(math.radians(k * step_degrees)) * dx).astype(np.int64) + offset
            profile = np.bincount(rows, weights=strokes, minlength=height + 2 * offset)
            scores[k] = float(np.dot(profile, profile))
        return scores[k]

    def best_of(ks: list[int]) -> int:
        ordered = sorted(ks, key=abs)  # the smallest slope wins a tie
        return max(ordered, key=lambda k: (score(k), -ordered.index(k)))

    coarse = best_of([k for k in range(-steps, steps + 1) if k % 3 == 0] + [-steps, steps])
    fine = best_of([k for k in range(coarse - 2, coarse + 3) if -steps <= k <= steps])
    return fine * step_degrees


def level_plate(image: np.ndarray, box: Box, degrees: float, min_height_ratio: float = 0.2) -> tuple[np.ndarray, Box]:
    """The region around ``box`` of ``image`` sheared vertically so that text falling by ``degrees``
    (as :func:`estimate_slope` measures it) runs level, and the plate's box in that region.

    Columns keep their place; each is moved up or down about the box's centre, so characters stay
    upright. A box that tightly holds a sloping plate is taller than the plate by ``width * tan(slope)``,
    which the levelled box drops, but never below ``min_height_ratio`` of its width (a loose box or a
    misjudged slope then still holds the characters)."""
    import cv2

    from edge.preprocess import crop_box

    shear = math.tan(math.radians(degrees))
    width, height = box.width, box.height
    if width <= 0 or height <= 0:
        raise ValueError(f"empty plate box {box}")
    level_height = min(height, max(height - width * abs(shear), min_height_ratio * width))
    reach = max(width, height) * 0.5 + width * abs(shear) * 0.5 + height  # holds the sheared plate
    cx, cy = (box.x1 + box.x2) / 2.0, (box.y1 + box.y2) / 2.0
    x0, y0 = math.floor(cx - reach), math.floor(cy - reach)
    region = crop_box(image, Box(x0, y0, math.ceil(cx + reach), math.ceil(cy + reach)))
    rcx, rcy = cx - x0, cy - y0
    matrix = np.float32([[1.0, 0.0, 0.0], [-shear, 1.0, shear * rcx]])
    levelled = cv2.warpAffine(
        region, matrix, (region.shape[1], region.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return levelled, Box(rcx - width / 2, rcy - level_height / 2, rcx + width / 2, rcy + level_height / 2)

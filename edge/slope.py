"""Sloping and slanted plates: how a plate's text slopes and leans in its crop, and the plate sheared
straight.

A plate seen from the side or from a tilted camera keeps its characters upright but its rows of text
slope; seen from above, below or with the camera rolled, its characters also lean. Both are found the
same way, from the characters' vertical strokes (the horizontal gradient): :func:`estimate_slope` finds
the slope whose slanted rows gather the strokes into the tightest band, :func:`estimate_slant` the lean
whose slanted columns gather them into the sharpest columns (the projection profile whose energy is
highest). :func:`level_plate` shears the region around the plate vertically so the text runs level
(characters stay upright) and :func:`upright_plate` shears it horizontally so the characters stand
upright; each gives the plate's box in the sheared region. numpy and OpenCV only.
"""

from __future__ import annotations

import math

import numpy as np

from edge.types import Box


def _strokes(grey: np.ndarray, height: int) -> tuple[np.ndarray, int]:
    """The crop scaled to ``height`` rows (aspect kept) and its vertical-stroke energy |d/dx|."""
    import cv2

    if grey.ndim != 2 or grey.size == 0:
        raise ValueError(f"expected a non-empty 2-D grey crop, got shape {grey.shape}")
    h, w = grey.shape
    width = max(8, round(w * height / h))
    small = cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    return np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)), width


def _best_shear(
    along: np.ndarray, across: np.ndarray, weights: np.ndarray, size: int, max_degrees: float, step_degrees: float
) -> float:
    """The shear angle (degrees, to ``step_degrees`` within ``+-max_degrees``) whose projection of
    ``weights`` onto ``round(across - tan(angle) * along)`` (``size`` bins) has the most energy. Every
    third step is tried, then the steps around the best of those; ties go to the smaller angle."""
    if max_degrees <= 0 or step_degrees <= 0 or max_degrees >= 60:
        raise ValueError(f"bad shear search: max {max_degrees}, step {step_degrees} degrees")
    steps = math.floor(max_degrees / step_degrees + 1e-9)
    offset = math.ceil(math.tan(math.radians(steps * step_degrees)) * float(np.abs(along).max(initial=0.0))) + 1
    scores: dict[int, float] = {}

    def score(k: int) -> float:
        if k not in scores:
            bins = np.rint(across - math.tan(math.radians(k * step_degrees)) * along).astype(np.int64) + offset
            profile = np.bincount(bins, weights=weights, minlength=size + 2 * offset)
            scores[k] = float(np.dot(profile, profile))
        return scores[k]

    def best_of(ks: list[int]) -> int:
        ordered = sorted(set(ks), key=abs)  # the smallest angle wins a tie
        return max(ordered, key=lambda k: (score(k), -ordered.index(k)))

    coarse = best_of([k for k in range(-steps, steps + 1) if k % 3 == 0] + [-steps, steps])
    return best_of([k for k in range(coarse - 2, coarse + 3) if -steps <= k <= steps]) * step_degrees


def estimate_slope(grey: np.ndarray, max_degrees: float = 30.0, step_degrees: float = 1.0, height: int = 48) -> float:
    """Degrees by which the text in the plate crop ``grey`` (2-D ``uint8``) falls from left to right
    (positive: the right end is lower in the image), to ``step_degrees`` within ``+-max_degrees``. The
    crop is first scaled to ``height`` rows (the reader's input height is a good choice). A crop without
    strokes gives 0."""
    strokes, width = _strokes(grey, height)
    ys, xs = np.mgrid[0:height, 0:width]
    dx = xs.ravel() - (width - 1) / 2.0
    return _best_shear(dx, ys.ravel().astype(np.float64), strokes.ravel(), height, max_degrees, step_degrees)


def estimate_slant(grey: np.ndarray, max_degrees: float = 30.0, step_degrees: float = 1.0, height: int = 48) -> float:
    """Degrees by which the characters in the plate crop ``grey`` lean (positive: their tops lean right,
    as italics), to ``step_degrees`` within ``+-max_degrees``, the crop scaled to ``height`` rows first.
    A crop without strokes gives 0."""
    strokes, width = _strokes(grey, height)
    ys, xs = np.mgrid[0:height, 0:width]
    up = (height - 1) / 2.0 - ys.ravel()  # distance above the middle row
    return _best_shear(up, xs.ravel().astype(np.float64), strokes.ravel(), width, max_degrees, step_degrees)


def _region(image: np.ndarray, box: Box, reach: float) -> tuple[np.ndarray, float, float]:
    """The square region of half-size ``reach`` around ``box``'s centre (borders replicated) and the
    centre's position in it."""
    from edge.preprocess import crop_box

    if box.width <= 0 or box.height <= 0:
        raise ValueError(f"empty plate box {box}")
    cx, cy = (box.x1 + box.x2) / 2.0, (box.y1 + box.y2) / 2.0
    x0, y0 = math.floor(cx - reach), math.floor(cy - reach)
    region = crop_box(image, Box(x0, y0, math.ceil(cx + reach), math.ceil(cy + reach)))
    return region, cx - x0, cy - y0


def _sheared(region: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    import cv2

    size = (region.shape[1], region.shape[0])
    return cv2.warpAffine(region, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def level_plate(image: np.ndarray, box: Box, degrees: float, min_height_ratio: float = 0.2) -> tuple[np.ndarray, Box]:
    """The region around ``box`` of ``image`` sheared vertically so that text falling by ``degrees``
    (as :func:`estimate_slope` measures it) runs level, and the plate's box in that region.

    Columns keep their place; each is moved up or down about the box's centre, so characters stay
    upright. A box that tightly holds a sloping plate is taller than the plate by ``width * tan(slope)``,
    which the levelled box drops, but never below ``min_height_ratio`` of its width (a loose box or a
    misjudged slope then still holds the characters)."""
    shear = math.tan(math.radians(degrees))
    width, height = box.width, box.height
    level_height = min(height, max(height - width * abs(shear), min_height_ratio * width))
    region, cx, cy = _region(image, box, max(width, height) * 0.5 + width * abs(shear) * 0.5 + height)
    levelled = _sheared(region, np.float32([[1.0, 0.0, 0.0], [-shear, 1.0, shear * cx]]))
    return levelled, Box(cx - width / 2, cy - level_height / 2, cx + width / 2, cy + level_height / 2)


def upright_plate(image: np.ndarray, box: Box, degrees: float) -> tuple[np.ndarray, Box]:
    """The region around ``box`` of ``image`` sheared horizontally so that characters leaning by
    ``degrees`` (as :func:`estimate_slant` measures it) stand upright, and the plate's box in that
    region (the same size: rows move left or right about the box's middle row)."""
    shear = math.tan(math.radians(degrees))
    width, height = box.width, box.height
    region, cx, cy = _region(image, box, max(width, height) * 0.5 + height * abs(shear) + height)
    upright = _sheared(region, np.float32([[1.0, shear, -shear * cy], [0.0, 1.0, 0.0]]))
    return upright, Box(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)

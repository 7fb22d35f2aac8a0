"""Plates with two rows of characters (square European rear plates, motorcycle plates): where the gap
between the rows lies, and the plate laid out as one row.

The OCR reads one row of text. A two-row plate is read by cutting its crop at the gap between the rows
and putting the rows side by side, top row first: one wide image the reader reads like a long one-row
plate. :func:`find_row_gap` finds the gap from the characters' vertical strokes (the horizontal
gradient): the row of the crop, within a band around its middle, through which the fewest strokes
pass, and how empty it is next to the rows around it. :func:`side_by_side` lays the two rows out;
:func:`lay_out_rows` does both for a colour crop, as the device does and as the reader's training crops of
two-row plates are made. numpy and OpenCV only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PROFILE_HEIGHT = 96
"""Rows the crop is scaled to before its stroke profile is taken (aspect kept)."""


@dataclass(frozen=True)
class RowGap:
    """Where a crop's two rows of text would part, and how clear the parting is."""

    split: int
    """Row of the crop (its own pixels) at the middle of the gap."""
    ratio: float
    """Stroke energy through the gap over the mean through the rows of the crop's middle (0.15 to 0.85 of
    its height): near 0 for a clear gap between two rows of text, near 1 or more through one row."""


def find_row_gap(grey: np.ndarray, band: tuple[float, float] = (0.35, 0.65)) -> RowGap:
    """The emptiest row of ``grey`` (a 2-D plate crop) between ``band`` (fractions of its height) by
    vertical-stroke energy smoothed over a twentieth of the height, and its :attr:`RowGap.ratio`."""
    import cv2

    if grey.ndim != 2 or min(grey.shape) < 4:
        raise ValueError(f"expected a 2-D grey crop at least 4x4, got shape {grey.shape}")
    low, high = band
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"bad gap band {band}: expected 0 < low < high < 1")
    h, w = grey.shape
    width = max(8, round(w * PROFILE_HEIGHT / h))
    small = cv2.resize(grey, (width, PROFILE_HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32)
    profile = np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)).mean(axis=1)
    window = max(1, PROFILE_HEIGHT // 20)
    smooth = np.convolve(profile, np.ones(window, np.float32) / window, mode="same")
    first, last = round(low * PROFILE_HEIGHT), round(high * PROFILE_HEIGHT)
    row = first + int(np.argmin(smooth[first : last + 1]))
    middle = smooth[round(0.15 * PROFILE_HEIGHT) : round(0.85 * PROFILE_HEIGHT)].mean()
    ratio = float(smooth[row] / middle) if middle > 0 else 1.0
    split = min(h - 1, max(1, round((row + 0.5) * h / PROFILE_HEIGHT)))
    return RowGap(split, ratio)


def side_by_side(image: np.ndarray, split: int, overlap: float = 0.04) -> np.ndarray:
    """The rows of ``image`` above and below row ``split`` next to each other, top row first, both
    scaled to the taller one's height (aspect kept). Each row takes ``overlap`` (a fraction of the
    image height) across the split, so characters reaching into the gap are not cut."""
    import cv2

    h = image.shape[0]
    if not 0 < split < h:
        raise ValueError(f"split {split} outside the image's {h} rows")
    if not 0.0 <= overlap < 0.5:
        raise ValueError(f"overlap {overlap} must be in [0, 0.5)")
    extra = round(overlap * h)
    top, bottom = image[: min(h, split + extra)], image[max(0, split - extra) :]
    height = max(top.shape[0], bottom.shape[0])
    rows = []
    for part in (top, bottom):
        if part.shape[0] != height:
            width = max(1, round(part.shape[1] * height / part.shape[0]))
            part = cv2.resize(part, (width, height), interpolation=cv2.INTER_LINEAR)
        rows.append(part)
    return np.ascontiguousarray(np.concatenate(rows, axis=1))


def lay_out_rows(
    image_bgr: np.ndarray, band: tuple[float, float] = (0.35, 0.65), overlap: float = 0.04
) -> tuple[np.ndarray, RowGap]:
    """``image_bgr`` (a plate crop) cut at its row gap (:func:`find_row_gap` within ``band``) and laid out
    as one row (:func:`side_by_side` with ``overlap``), and the gap."""
    from edge.preprocess import convert_colour

    gap = find_row_gap(convert_colour(image_bgr, "grey")[:, :, 0], band)
    return side_by_side(image_bgr, gap.split, overlap), gap

"""Drawn plate-like strips of upright strokes, level or sloping, in one row or two, for the slope and
two-row tests."""

import math

import cv2
import numpy as np


def text_strip(width: int = 240, height: int = 60) -> np.ndarray:
    """White plate-like strip with dark upright bars of varied widths, as characters' strokes."""
    strip = np.full((height, width), 230, np.uint8)
    x, rng = 12, np.random.default_rng(5)
    while x < width - 16:
        w = int(rng.integers(3, 7))
        strip[12 : height - 12, x : x + w] = 20
        x += w + int(rng.integers(6, 14))
    return strip


def sheared(grey: np.ndarray, degrees: float) -> np.ndarray:
    """``grey`` with its rows falling by ``degrees`` left to right (verticals kept), on a larger canvas."""
    _h, w = grey.shape
    pad = int(w * abs(math.tan(math.radians(degrees))) / 2) + 4
    canvas = cv2.copyMakeBorder(grey, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=230)
    t = math.tan(math.radians(degrees))
    matrix = np.float32([[1, 0, 0], [t, 1, -t * (w - 1) / 2]])
    return cv2.warpAffine(canvas, matrix, (w, canvas.shape[0]), borderValue=230)


def leaning(grey: np.ndarray, degrees: float) -> np.ndarray:
    """``grey`` with its strokes leaning by ``degrees`` (positive: tops to the right, as italics), rows
    kept, on a wider canvas."""
    h = grey.shape[0]
    t = math.tan(math.radians(degrees))
    pad = int(h * abs(t) / 2) + 4
    canvas = cv2.copyMakeBorder(grey, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=230)
    matrix = np.float32([[1, -t, t * (h - 1) / 2], [0, 1, 0]])
    return cv2.warpAffine(canvas, matrix, (canvas.shape[1], h), borderValue=230)


def two_row_plate(top_height: int = 50, bottom_height: int = 50, gap: int = 14) -> np.ndarray:
    """A square-ish plate: a row of strokes over another, ``gap`` blank rows between them and 10 above
    and below."""
    top = text_strip(160, top_height + 24)[12:-12]
    bottom = text_strip(160, bottom_height + 24)[12:-12]
    blank = np.full((gap, 160), 230, np.uint8)
    edge = np.full((10, 160), 230, np.uint8)
    return np.concatenate([edge, top, blank, bottom, edge])

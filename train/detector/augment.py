"""Per-batch photometric and geometric augmentation of detector inputs (numpy and OpenCV).

Each function takes one input-sized image (uint8 or float, H x W x C, already letterboxed) and, where
the geometry changes, its boxes in input pixels (N x 4, x1 y1 x2 y2), and returns new arrays.
"""

from __future__ import annotations

import cv2
import numpy as np


def shrink(
    image: np.ndarray, boxes: np.ndarray, factor: float, fill: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The image scaled by ``factor`` (< 1) and placed at a random spot on a ``fill`` canvas of the
    same size: every plate smaller and farther, as in a wide view. Boxes are scaled and moved with it."""
    h, w = image.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    small = cv2.resize(np.ascontiguousarray(image), (nw, nh), interpolation=cv2.INTER_AREA)
    if small.ndim < image.ndim:
        small = small[..., None]
    x0, y0 = int(rng.integers(0, w - nw + 1)), int(rng.integers(0, h - nh + 1))
    out = np.full_like(image, fill)
    out[y0 : y0 + nh, x0 : x0 + nw] = small
    scale = np.asarray([nw / w, nh / h, nw / w, nh / h], np.float32)
    shift = np.asarray([x0, y0, x0, y0], np.float32)
    return out, (boxes.astype(np.float32) * scale + shift).reshape(-1, 4)


def night(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dark, noisy version of float pixels in 0-255: gamma 1.5-3 (shadows crushed, lit plates
    kept), overall gain 0.4-0.9 and sensor noise."""
    gamma = rng.uniform(1.5, 3.0)
    dark = 255.0 * (np.clip(pixels, 0, 255) / 255.0) ** gamma * rng.uniform(0.4, 0.9)
    return dark + rng.normal(0, rng.uniform(2, 8), pixels.shape)


def blur(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian blur with sigma 0.6-1.8 input pixels (focus, motion and compression softness)."""
    sigma = rng.uniform(0.6, 1.8)
    soft = cv2.GaussianBlur(np.ascontiguousarray(pixels, np.float32), (0, 0), sigma)
    return soft.reshape(pixels.shape)  # OpenCV drops a single channel axis

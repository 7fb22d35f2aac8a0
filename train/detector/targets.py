"""Detector training targets: Gaussian centre heatmaps, centre offsets and log sizes per cell."""

from __future__ import annotations

import numpy as np


def gaussian_radius(width: float, height: float, min_radius: float = 0.7) -> tuple[float, float]:
    """Heatmap spread (sigma x, sigma y) in cells for a box ``width`` x ``height`` cells."""
    return max(min_radius, width / 6.0), max(min_radius, height / 6.0)


def encode(boxes: np.ndarray, grid: tuple[int, int], stride: int) -> dict[str, np.ndarray]:
    """Targets for boxes (N, 4) in input pixels on a ``grid`` = (rows, cols) at ``stride``.

    ``heatmap`` (rows, cols, 1) peaks at 1 on each centre cell; ``offset`` and ``size`` (rows, cols, 2)
    are defined where ``mask`` (rows, cols, 1) is 1.
    """
    rows, cols = grid
    heat = np.zeros((rows, cols), np.float32)
    offset = np.zeros((rows, cols, 2), np.float32)
    size = np.zeros((rows, cols, 2), np.float32)
    mask = np.zeros((rows, cols), np.float32)
    ys, xs = np.mgrid[0:rows, 0:cols].astype(np.float32)
    order = np.argsort([-(b[2] - b[0]) * (b[3] - b[1]) for b in boxes]) if len(boxes) else []
    for i in order:  # small boxes last so they win a shared cell
        x1, y1, x2, y2 = (float(v) / stride for v in boxes[i])
        w, h = x2 - x1, y2 - y1
        if w <= 0 or h <= 0:
            continue
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        col, row = int(np.clip(np.floor(cx), 0, cols - 1)), int(np.clip(np.floor(cy), 0, rows - 1))
        sx, sy = gaussian_radius(w, h)
        blob = np.exp(-((xs - col) ** 2) / (2 * sx * sx) - ((ys - row) ** 2) / (2 * sy * sy))
        heat = np.maximum(heat, blob)
        heat[row, col] = 1.0
        offset[row, col] = (cx - col, cy - row)
        size[row, col] = (np.log(w), np.log(h))
        mask[row, col] = 1.0
    return {"heatmap": heat[..., None], "offset": offset, "size": size, "mask": mask[..., None]}

"""Augmentation of real plate crops: box jitter as a detector gives, geometry, then camera effects."""

from __future__ import annotations

import cv2
import numpy as np

from edge.types import Box
from train.synth import degrade


def jitter_box(box: Box, rng: np.random.Generator, shift: float = 0.06, scale: float = 0.1) -> Box:
    """Move and resize ``box`` as a detector's imperfect box would."""
    dx, dy = rng.uniform(-shift, shift) * box.width, rng.uniform(-shift, shift) * 2 * box.height
    sw, sh = 1 + rng.uniform(-scale, scale), 1 + rng.uniform(-scale, scale) * 1.5
    cx, cy = (box.x1 + box.x2) / 2 + dx, (box.y1 + box.y2) / 2 + dy
    w, h = box.width * sw / 2, box.height * sh / 2
    return Box(cx - w, cy - h, cx + w, cy + h)


def small_warp(image: np.ndarray, rng: np.random.Generator, max_rotate: float = 5.0, max_shear: float = 0.12):
    """Rotation and shear within the image (border replicated), as an angled camera gives."""
    h, w = image.shape[:2]
    angle = rng.uniform(-max_rotate, max_rotate)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[0, 1] += rng.uniform(-max_shear, max_shear)
    matrix[0, 2] -= matrix[0, 1] * h / 2
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def augment_real(image: np.ndarray, box: Box | None, rng: np.random.Generator, strength: float = 1.0):
    """Augmented (image, box) for one real row; ``box`` None means the image is the crop."""
    if box is None:
        h, w = image.shape[:2]
        box = Box(0, 0, w, h)  # a crop: jitter its edges as a detector box would
    box = jitter_box(box, rng, 0.04 * strength, 0.08 * strength)
    if rng.random() < 0.5 * strength:
        image = small_warp(image, rng)
    return degrade.camera_effects(image, rng, 0.8 * strength), box

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


def loosen_box(box: Box, rng: np.random.Generator, max_growth: float) -> Box:
    """``box`` grown as a looser hand or detector draws it: its width by up to ``max_growth`` of itself,
    its height by up to twice that, each growth split unevenly between the two sides."""
    grow_w = rng.uniform(0.0, max_growth) * box.width
    grow_h = rng.uniform(0.0, 2.0 * max_growth) * box.height
    share_x, share_y = rng.uniform(0.2, 0.8, size=2)
    return Box(
        box.x1 - grow_w * share_x,
        box.y1 - grow_h * share_y,
        box.x2 + grow_w * (1.0 - share_x),
        box.y2 + grow_h * (1.0 - share_y),
    )


def small_warp(image: np.ndarray, rng: np.random.Generator, max_rotate: float = 5.0, max_shear: float = 0.12):
    """Rotation and shear within the image (border replicated), as an angled camera gives."""
    h, w = image.shape[:2]
    angle = rng.uniform(-max_rotate, max_rotate)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[0, 1] += rng.uniform(-max_shear, max_shear)
    matrix[0, 2] -= matrix[0, 1] * h / 2
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def augment_real(
    image: np.ndarray,
    box: Box | None,
    rng: np.random.Generator,
    strength: float = 1.0,
    loose_probability: float = 0.0,
    loose_max: float = 0.3,
):
    """Augmented (image, box) for one real row; ``box`` None means the image is the crop. A row with a
    box in a photo has it loosened (:func:`loosen_box`) with ``loose_probability``; no random draw is
    made for that when it is 0, so earlier configs keep their random stream."""
    if box is not None and loose_probability > 0 and rng.random() < loose_probability:
        box = loosen_box(box, rng, loose_max)
    if box is None:
        h, w = image.shape[:2]
        box = Box(0, 0, w, h)  # a crop: jitter its edges as a detector box would
    box = jitter_box(box, rng, 0.04 * strength, 0.08 * strength)
    if rng.random() < 0.5 * strength:
        image = small_warp(image, rng)
    return degrade.camera_effects(image, rng, 0.8 * strength), box


def _compress(image: np.ndarray, rng: np.random.Generator, quality: tuple[int, int]) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(quality[0], quality[1] + 1))])
    if not ok:
        return image
    out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return out[:, :, None] if image.ndim == 3 and out.ndim == 2 else out


def shrink_plate(
    image: np.ndarray,
    box: Box | None,
    width: float,
    rng: np.random.Generator,
    quality: tuple[int, int] = (30, 80),
    blur_sigma: tuple[float, float] | None = None,
) -> tuple[np.ndarray, Box | None]:
    """The image scaled (area filter) so that the plate (``box``; the whole image when None) is ``width``
    px wide, blurred when ``blur_sigma`` is given (a Gaussian whose sigma, in px at the small size, is
    drawn uniformly from that range: a soft lens or focus), then JPEG-compressed: the plate as a far or
    low-resolution camera records it. A plate that is already narrower is left as it is."""
    plate_width = box.width if box is not None else image.shape[1]
    scale = width / max(plate_width, 1.0)
    if scale >= 1.0:
        return image, box
    h, w = image.shape[:2]
    size = (max(4, round(w * scale)), max(4, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    if small.ndim == 2 and image.ndim == 3:
        small = small[:, :, None]
    sx, sy = size[0] / w, size[1] / h
    scaled = None if box is None else Box(box.x1 * sx, box.y1 * sy, box.x2 * sx, box.y2 * sy)
    if blur_sigma is not None:  # no draw otherwise: earlier configs keep their random stream
        sigma = rng.uniform(*blur_sigma)
        if sigma > 0:
            small = cv2.GaussianBlur(small, (0, 0), sigma).reshape(small.shape)
    return _compress(small, rng, quality), scaled

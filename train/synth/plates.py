"""Synthetic plate crops: a rendered plate on a car body, warped, cropped and degraded.

The crop mimics what the OCR is handed on the device: the plate's box plus a margin (and
sometimes a box that cuts into the plate, as a loose detection does).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from train.synth import degrade
from train.synth.styles import STYLES, RenderedPlate
from train.synth.two_row import TWO_ROW_STYLES

#: Every style that can be named: the one-row mix and the two-row plates (drawn only when named).
ALL_STYLES = {**STYLES, **TWO_ROW_STYLES}


@dataclass(frozen=True)
class PlateSample:
    """A synthetic plate crop (BGR uint8) with its exact label."""

    image: np.ndarray
    text: str
    style: str
    region: str


def style_names() -> list[str]:
    """Every style that can be named, the one-row mix first."""
    return list(ALL_STYLES)


def choose_style(rng: np.random.Generator, styles: list[str] | None = None) -> str:
    """One of ``styles`` by their weights (default: the one-row mix, :data:`STYLES`)."""
    names = styles or list(STYLES)
    weights = np.array([ALL_STYLES[n][1] for n in names], np.float64)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def render_clean(style: str, rng: np.random.Generator) -> RenderedPlate:
    """A clean, flat plate of ``style`` (RGB float32)."""
    if style not in ALL_STYLES:
        raise ValueError(f"unknown plate style {style!r}; choose from {', '.join(ALL_STYLES)}")
    return ALL_STYLES[style][0](rng)


def to_bgr(plate: RenderedPlate) -> np.ndarray:
    return np.ascontiguousarray(np.clip(plate.image, 0, 255).astype(np.uint8)[:, :, ::-1])


def car_body(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A plausible patch of car (paint, bumper shading, grille lines) to surround a plate."""
    paint = rng.choice(
        [
            (30, 30, 30),
            (200, 200, 200),
            (240, 240, 240),
            (40, 40, 150),
            (140, 60, 20),
            (60, 60, 60),
            (120, 120, 120),
            (20, 80, 20),
            (30, 120, 200),
        ]
    )
    top = np.float32(paint) * rng.uniform(0.7, 1.2)
    bottom = np.float32(paint) * rng.uniform(0.4, 0.9)
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    body = np.repeat(top * (1 - t) + bottom * t, width, axis=1)
    for _ in range(int(rng.integers(0, 4))):  # bumper edges and grille slats
        y = int(rng.uniform(0, height))
        cv2.line(
            body,
            (0, y),
            (width, y + int(rng.uniform(-5, 5))),
            tuple(float(v) for v in top * 0.5),
            int(rng.integers(1, 4)),
        )
    noise = rng.integers(-5, 6, size=(max(1, height // 2), max(1, width // 2), 1)).astype(np.float32)
    body += cv2.resize(noise, (width, height), interpolation=cv2.INTER_NEAREST)[:, :, None]
    return np.clip(body, 0, 255).astype(np.uint8)


def warp_plate(
    plate_bgr: np.ndarray, rng: np.random.Generator, tilt: float = 0.12, rotate_deg: float = 10.0, context: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """Warp a flat plate onto a car-body canvas; returns (canvas, the plate's 4 corners in it)."""
    h, w = plate_bgr.shape[:2]
    matrix = degrade.perspective_matrix(w, h, rng, tilt, rotate_deg)
    corners = cv2.perspectiveTransform(np.float32([[[0, 0], [w, 0], [w, h], [0, h]]]), matrix)[0]
    pad_x, pad_y = w * context, h * context * 2
    shift = np.float32(
        [[1, 0, pad_x - corners[:, 0].min() + w * 0.1], [0, 1, pad_y - corners[:, 1].min() + h * 0.1], [0, 0, 1]]
    )
    matrix = shift @ matrix
    corners = cv2.perspectiveTransform(corners[None], shift)[0]
    cw = int(corners[:, 0].max() + pad_x + w * 0.1)
    ch = int(corners[:, 1].max() + pad_y + h * 0.1)
    canvas = car_body(ch, cw, rng)
    warped = cv2.warpPerspective(plate_bgr, matrix, (cw, ch), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (cw, ch), flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    out = canvas * (1 - alpha) + warped * alpha
    return out.astype(np.uint8), corners


def render_plate_sample(
    rng: np.random.Generator, styles: list[str] | None = None, clean: bool = False, strength: float = 1.0
) -> PlateSample:
    """One synthetic OCR training crop: plate box plus a random margin, degraded like a camera would."""
    style = choose_style(rng, styles)
    plate = render_clean(style, rng)
    bgr = to_bgr(plate)
    if clean:
        return PlateSample(bgr, plate.text, plate.style, plate.region)
    canvas, corners = warp_plate(bgr, rng)
    x1, y1 = corners.min(axis=0)
    x2, y2 = corners.max(axis=0)
    bw, bh = x2 - x1, y2 - y1
    # margins as a detector's box plus the pipeline margin would give; negative cuts into the plate
    mx1, mx2 = rng.uniform(-0.03, 0.12, size=2) * bw
    my1, my2 = rng.uniform(-0.06, 0.25, size=2) * bh
    crop = canvas[max(0, int(y1 - my1)) : int(y2 + my2), max(0, int(x1 - mx1)) : int(x2 + mx2)]
    return PlateSample(degrade.camera_effects(crop, rng, strength), plate.text, plate.style, plate.region)

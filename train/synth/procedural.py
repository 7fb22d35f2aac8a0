"""Generated street backgrounds and cars (no third-party media): for scenes and the demo clip."""

from __future__ import annotations

import cv2
import numpy as np

CAR_PAINTS = [
    (30, 30, 30),
    (200, 200, 200),
    (235, 235, 235),
    (150, 40, 40),
    (20, 60, 140),
    (90, 90, 95),
    (40, 100, 40),
    (180, 150, 60),
    (120, 120, 130),
    (200, 90, 20),
]


def street(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A street: sky or wall at the top, buildings, a grey road with lane marks (BGR uint8)."""
    horizon = int(height * rng.uniform(0.3, 0.5))
    t = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    sky_top, sky_bottom = np.float32(rng.uniform(120, 230, 3)), np.float32(rng.uniform(150, 250, 3))
    image = np.zeros((height, width, 3), np.float32)
    image[:horizon] = sky_top * (1 - t) + sky_bottom * t
    x = 0
    while x < width:  # buildings along the horizon
        bw = int(rng.uniform(width * 0.05, width * 0.2))
        bh = int(rng.uniform(horizon * 0.3, horizon * 0.95))
        colour = tuple(float(c) for c in rng.uniform(60, 200, 3))
        cv2.rectangle(image, (x, horizon - bh), (x + bw, horizon), colour, -1)
        for wy in range(horizon - bh + 8, horizon - 8, 18):
            for wx in range(x + 6, x + bw - 10, 16):
                if rng.random() < 0.6:
                    cv2.rectangle(image, (wx, wy), (wx + 8, wy + 10), tuple(float(c) * 0.6 for c in colour), -1)
        x += bw
    road = np.float32(rng.uniform(70, 120)) * np.float32([1.0, 1.0, 1.02])
    image[horizon:] = road
    for k in range(6):
        y = horizon + int((height - horizon) * (k + 0.5) / 6)
        cv2.line(image, (0, y), (width, y), (200, 200, 200), 1)
    noise = rng.normal(0, 6, image.shape).astype(np.float32)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


CAR_ASPECT = 0.8  # height / width of a car seen from behind


def car_extent(x: float, y_bottom: float, width: float) -> tuple[float, float, float, float]:
    """The rectangle (x1, y1, x2, y2) a car drawn by :func:`draw_car` covers."""
    return (x, y_bottom - width * CAR_ASPECT, x + width, y_bottom)


def draw_car(
    image: np.ndarray,
    x: float,
    y_bottom: float,
    width: float,
    rng: np.random.Generator,
    paint: tuple[int, int, int] | None = None,
) -> tuple[float, float, float, float]:
    """Draw the rear of a car; returns the rectangle (x1, y1, x2, y2) where its plate goes."""
    paint = paint or CAR_PAINTS[int(rng.integers(len(CAR_PAINTS)))]
    colour = tuple(float(c) for c in paint)
    dark = tuple(float(c) * 0.45 for c in paint)
    height = width * CAR_ASPECT
    x1, y1, x2, y2 = int(x), int(y_bottom - height), int(x + width), int(y_bottom)
    cv2.rectangle(
        image, (x1 + int(width * 0.06), int(y2 - height * 0.12)), (x1 + int(width * 0.2), y2), (20, 20, 20), -1
    )  # wheels
    cv2.rectangle(
        image, (x2 - int(width * 0.2), int(y2 - height * 0.12)), (x2 - int(width * 0.06), y2), (20, 20, 20), -1
    )
    roof = np.int32(
        [
            [x1 + width * 0.15, y1],
            [x2 - width * 0.15, y1],
            [x2 - width * 0.03, y1 + height * 0.4],
            [x1 + width * 0.03, y1 + height * 0.4],
        ]
    )
    cv2.fillPoly(image, [roof], colour)
    window = np.int32(
        [
            [x1 + width * 0.2, y1 + height * 0.05],
            [x2 - width * 0.2, y1 + height * 0.05],
            [x2 - width * 0.1, y1 + height * 0.35],
            [x1 + width * 0.1, y1 + height * 0.35],
        ]
    )
    cv2.fillPoly(image, [window], (60, 50, 40))
    cv2.rectangle(image, (x1, int(y1 + height * 0.38)), (x2, int(y2 - height * 0.1)), colour, -1)
    cv2.rectangle(image, (x1, int(y1 + height * 0.72)), (x2, int(y2 - height * 0.1)), dark, -1)  # bumper
    for lx in (x1 + width * 0.04, x2 - width * 0.2):  # tail lights
        cv2.rectangle(
            image,
            (int(lx), int(y1 + height * 0.45)),
            (int(lx + width * 0.16), int(y1 + height * 0.56)),
            (30, 30, 200),
            -1,
        )
    plate_w = width * rng.uniform(0.32, 0.42)
    plate_h = plate_w * rng.uniform(0.22, 0.5)
    cx, cy = (x1 + x2) / 2, y1 + height * 0.62
    return (cx - plate_w / 2, cy - plate_h / 2, cx + plate_w / 2, cy + plate_h / 2)

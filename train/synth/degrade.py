"""Camera degradations for synthetic plates: geometry, blur, noise, light, weather, compression.

All functions take and return BGR ``uint8`` images and draw randomness from the given
generator, so a seed reproduces an image exactly.
"""

from __future__ import annotations

import cv2
import numpy as np


def perspective_matrix(
    w: float, h: float, rng: np.random.Generator, max_tilt: float = 0.12, max_rotate_deg: float = 10.0
) -> np.ndarray:
    """A homography from a ``w`` x ``h`` plate to a tilted, rotated quad (in the plate's frame)."""
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-max_tilt, max_tilt, size=(4, 2)) * np.float32([w * 0.5, h])
    # a yaw-like effect: one side shorter than the other
    yaw = rng.uniform(-max_tilt, max_tilt) * h * 1.5
    jitter[[1, 2], 1] += np.float32([yaw, -yaw])
    dst = src + jitter.astype(np.float32)
    angle = np.deg2rad(rng.uniform(-max_rotate_deg, max_rotate_deg))
    rot = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = dst.mean(axis=0)
    dst = (dst - centre) @ rot.T + centre
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def motion_blur(image: np.ndarray, rng: np.random.Generator, max_len: int = 9) -> np.ndarray:
    length = int(rng.integers(3, max_len + 1))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    kernel /= max(kernel.sum(), 1e-6)
    return cv2.filter2D(image, -1, kernel)


def defocus_blur(image: np.ndarray, rng: np.random.Generator, max_sigma: float = 2.0) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, max_sigma))


def gaussian_noise(image: np.ndarray, rng: np.random.Generator, max_sigma: float = 14.0) -> np.ndarray:
    noise = rng.normal(0, rng.uniform(2, max_sigma), image.shape)
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, rng: np.random.Generator, low: int = 15, high: int = 90) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(low, high + 1))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else image


def low_light(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark, warm-tinted, noisy: a street-lit night frame."""
    gain = rng.uniform(0.3, 0.6)
    tint = np.float32([rng.uniform(0.7, 0.9), rng.uniform(0.85, 1.0), 1.0])  # BGR: less blue
    out = image.astype(np.float32) * gain * tint
    out = 255.0 * (out / 255.0) ** rng.uniform(1.0, 1.3)
    return gaussian_noise(np.clip(out, 0, 255).astype(np.uint8), rng, 10)


def near_infrared(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Greyscale with the contrast of an IR-lit camera (retro-reflective plate glows)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    grey = (grey - grey.mean()) * rng.uniform(0.8, 1.6) + grey.mean() + rng.uniform(-30, 40)
    grey = np.clip(grey, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def shadow(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hard-edged shadow across part of the image."""
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.float32)
    x = rng.uniform(0, w)
    pts = np.float32([[x, -5], [x + rng.uniform(-w * 0.5, w * 0.5), h + 5], [w * 2, h + 5], [w * 2, -5]])
    if rng.random() < 0.5:
        pts[:, 0] = w - pts[:, 0]
    cv2.fillPoly(mask, [pts.astype(np.int32)], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.5, 3))
    factor = 1.0 - mask * rng.uniform(0.3, 0.6)
    return np.clip(image.astype(np.float32) * factor[:, :, None], 0, 255).astype(np.uint8)


def dirt(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brownish smudges and specks."""
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(3, 25))):
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        axes = (int(rng.uniform(1, w * 0.06) + 1), int(rng.uniform(1, h * 0.12) + 1))
        cv2.ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, float(rng.uniform(0.2, 0.7)), -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)[:, :, None]
    colour = np.float32([rng.uniform(40, 70), rng.uniform(60, 90), rng.uniform(80, 110)])
    return np.clip(image * (1 - mask) + colour * mask, 0, 255).astype(np.uint8)


def glare(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A soft bright spot (headlight, sun reflection)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.15, 0.5) * w
    spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)) * rng.uniform(60, 160)
    return np.clip(image.astype(np.float32) + spot[:, :, None], 0, 255).astype(np.uint8)


def low_resolution(image: np.ndarray, rng: np.random.Generator, min_height: int = 12) -> np.ndarray:
    """Downscale (to 15-60 % of the height, at least ``min_height`` px) then upscale back."""
    h, w = image.shape[:2]
    target_h = min(h, max(min_height, int(h * rng.uniform(0.15, 0.6))))
    scale = target_h / h
    small = cv2.resize(image, (max(4, int(w * scale)), target_h), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def colour_shift(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """White balance, brightness and contrast changes."""
    gains = rng.uniform(0.88, 1.12, size=3).astype(np.float32)
    out = image.astype(np.float32) * gains
    mean = out.mean()
    out = (out - mean) * rng.uniform(0.6, 1.3) + mean + rng.uniform(-35, 35)
    return np.clip(out, 0, 255).astype(np.uint8)


def camera_effects(
    image: np.ndarray, rng: np.random.Generator, strength: float = 1.0, plate_only: bool = True
) -> np.ndarray:
    """A random chain of the degradations above; ``strength`` scales how many are applied.

    ``plate_only`` enables the effects that only make sense on a plate crop (dirt).
    """
    p = min(1.0, strength)
    image = colour_shift(image, rng) if rng.random() < 0.8 * p else image
    if rng.random() < 0.25 * p:
        image = shadow(image, rng)
    if plate_only and rng.random() < 0.2 * p:
        image = dirt(image, rng)
    if rng.random() < 0.1 * p:
        image = glare(image, rng)
    if rng.random() < 0.2 * p:
        image = near_infrared(image, rng)
    elif rng.random() < 0.2 * p:
        image = low_light(image, rng)
    if rng.random() < 0.35 * p:
        image = low_resolution(image, rng)
    if rng.random() < 0.25 * p:
        image = motion_blur(image, rng)
    elif rng.random() < 0.35 * p:
        image = defocus_blur(image, rng)
    if rng.random() < 0.5 * p:
        image = gaussian_noise(image, rng)
    if rng.random() < 0.6 * p:
        image = jpeg(image, rng)
    return image

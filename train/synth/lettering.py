"""Non-plate lettering painted into detector scenes: hard negatives, with no box.

Most of the shipped detector's false boxes on the held-out photos that were not real plates were
lettering: a shop sign lit at night, tyre and model names on cars, a sticker, a board on a wall.
Scenes given such words teach the detector that text alone does not make a plate: lower- and
mixed-case words, brand-like capitals without digits, short model badges, in italic, serif and
display fonts, painted on the scene, on a sign board, or glowing.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.types import Box
from train.synth.draw import paste_alpha, text_mask
from train.synth.fonts import header_fonts, plate_fonts

CONSONANTS = "bcdfghjklmnprstvz"
VOWELS = "aeiou"
BADGE_PARTS = ("GTI", "TDI", "V6", "4x4", "HDi", "AMG", "RS", "XL", "d", "i", "e", "S")
STYLES = ("paint", "board", "glow")


def _syllables(rng: np.random.Generator, count: int) -> str:
    return "".join(str(rng.choice(list(CONSONANTS))) + str(rng.choice(list(VOWELS))) for _ in range(count))


def random_words(rng: np.random.Generator) -> str:
    """A word or short phrase that is not a plate text: mostly lower-case letters, never plate-like."""
    kind = rng.random()
    if kind < 0.45:  # a brand or shop name: "Auchan", "berlingo"
        word = _syllables(rng, int(rng.integers(2, 5)))[: int(rng.integers(3, 10))]
        return word.capitalize() if rng.random() < 0.7 else word
    if kind < 0.65:  # capitals, letters only: "MICHELIN", "PATROL"
        return _syllables(rng, int(rng.integers(2, 5))).upper()[: int(rng.integers(3, 10))]
    if kind < 0.9:  # a phrase: "I am Sorry !!!!"
        words = [_syllables(rng, int(rng.integers(1, 4))) for _ in range(int(rng.integers(2, 4)))]
        phrase = " ".join(w.capitalize() if rng.random() < 0.5 else w for w in words)
        return phrase + ("!" * int(rng.integers(1, 5)) if rng.random() < 0.3 else "")
    # a model badge: "300D", "320i", "GTI"
    number = str(int(rng.integers(1, 10)) * 100 + int(rng.integers(0, 3)) * 20)
    return number + str(rng.choice(BADGE_PARTS)) if rng.random() < 0.6 else str(rng.choice(BADGE_PARTS[:8]))


def _shear(mask: np.ndarray, amount: float) -> np.ndarray:
    """``mask`` slanted right by ``amount`` (x shift per px of height), as italic or perspective."""
    h, w = mask.shape
    pad = int(abs(amount) * h) + 1
    matrix = np.float32([[1, -amount, pad if amount > 0 else 0], [0, 1, 0]])
    return cv2.warpAffine(mask, matrix, (w + pad, h), flags=cv2.INTER_LINEAR)


def _contrasting(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    """A random BGR colour far in brightness from ``background`` (mean BGR of the region)."""
    for _ in range(8):
        colour = rng.integers(0, 256, 3).astype(np.float32)
        if abs(float(colour.mean()) - float(background.mean())) > 70:
            return colour
    return np.full(3, 255.0 if background.mean() < 128 else 0.0, np.float32)


def paint_word(image: np.ndarray, rng: np.random.Generator, avoid: list[Box], tries: int = 10) -> Box | None:
    """Paint one piece of lettering on ``image`` (BGR uint8, in place) clear of the ``avoid`` boxes
    (grown by half their size); returns its box, or None when no free place was found."""
    height, width = image.shape[:2]
    fonts = header_fonts() + plate_fonts()
    text, style = random_words(rng), STYLES[int(rng.integers(len(STYLES)))]
    if style == "board":  # capitals or digits on a board read as a plate: keep boards for words
        style, text = ("paint", text) if any(c.isdigit() for c in text) else ("board", text.capitalize())
    mask = text_mask(text, fonts[int(rng.integers(len(fonts)))], size=64)
    if rng.random() < 0.4:
        mask = _shear(mask, float(rng.uniform(-0.3, 0.3)))
    text_h = float(np.exp(rng.uniform(np.log(8.0), np.log(max(9.0, 0.09 * height)))))
    text_w = mask.shape[1] * text_h / mask.shape[0] * rng.uniform(0.8, 1.25)
    if text_w > 0.6 * width:
        text_h, text_w = text_h * 0.6 * width / text_w, 0.6 * width
    w, h = max(2, round(text_w)), max(2, round(text_h))
    alpha = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA)
    pad_x, pad_y = (round(h * rng.uniform(0.2, 0.8)), round(h * rng.uniform(0.15, 0.5))) if style == "board" else (0, 0)
    if style == "glow":
        pad_x = pad_y = max(1, h // 3)
    full_w, full_h = w + 2 * pad_x, h + 2 * pad_y
    if full_w >= width or full_h >= height:
        return None
    grown = [Box(b.x1 - b.width / 2, b.y1 - b.height / 2, b.x2 + b.width / 2, b.y2 + b.height / 2) for b in avoid]
    for _ in range(tries):
        x, y = int(rng.integers(0, width - full_w)), int(rng.integers(0, height - full_h))
        box = Box(float(x), float(y), float(x + full_w), float(y + full_h))
        if all(box.iou(g) == 0.0 for g in grown):
            break
    else:
        return None
    region = image[y : y + full_h, x : x + full_w].astype(np.float32)
    if style == "board":
        board = _contrasting(rng, region.reshape(-1, 3).mean(axis=0))
        region[:] = board
        if rng.random() < 0.4:
            cv2.rectangle(region, (0, 0), (full_w - 1, full_h - 1), _contrasting(rng, board).tolist(), 1)
        ink = _contrasting(rng, board)
    elif style == "glow":
        ink = np.array([255.0, 255.0, 255.0]) if rng.random() < 0.6 else rng.integers(120, 256, 3).astype(np.float32)
    else:
        ink = _contrasting(rng, region.reshape(-1, 3).mean(axis=0))
    text_alpha = np.zeros((full_h, full_w), np.float32)
    text_alpha[pad_y : pad_y + h, pad_x : pad_x + w] = alpha
    if style == "glow":
        halo = cv2.GaussianBlur(text_alpha, (0, 0), max(1.0, h / 6)) * rng.uniform(0.4, 0.9)
        paste_alpha(region, np.clip(halo, 0.0, 1.0), 0, 0, tuple(ink))
    paste_alpha(region, text_alpha, 0, 0, tuple(ink))
    image[y : y + full_h, x : x + full_w] = np.clip(region, 0, 255).astype(np.uint8)
    return box


def paint_lettering(image: np.ndarray, rng: np.random.Generator, avoid: list[Box], count: int) -> list[Box]:
    """Paint up to ``count`` pieces of lettering on ``image`` (in place) clear of the plate boxes
    ``avoid``; returns the boxes painted (for tests and previews: they are not labels)."""
    painted: list[Box] = []
    for _ in range(count):
        box = paint_word(image, rng, avoid + painted)
        if box is not None:
            painted.append(box)
    return painted

"""Drawing primitives for the plate renderer: text masks fitted into boxes, shapes, compositing.

Canvases are float32 RGB arrays in [0, 255] of shape (H, W, 3); colours are RGB tuples.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from train.synth.fonts import fallback_font
from train.synth.strokefont import StrokeFont

Colour = tuple[int, int, int]


@lru_cache(maxsize=64)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def text_mask(text: str, font: Path | StrokeFont, size: int = 96, spacing: float = 0.0) -> np.ndarray:
    """Alpha mask (float32 in [0, 1]) of ``text``, cropped to its ink.

    ``spacing`` adds space between characters as a fraction of the font size; with
    ``spacing=0`` the string is laid out as a whole (needed for shaped scripts such as Arabic).
    ``font`` is a font file or stroke lettering (:class:`StrokeFont`); text the lettering has no glyphs
    for (a city name in lower case, say) is drawn in DejaVu Sans Bold instead.
    """
    if isinstance(font, StrokeFont):
        if font.supports(text):
            return font.mask(text, size, spacing)
        font = fallback_font()
    face = _font(font, size)
    if spacing == 0.0 or len(text) < 2:
        left, top, right, bottom = face.getbbox(text)
        image = Image.new("L", (right - left + 8, bottom - top + 8), 0)
        ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=face, fill=255)
    else:
        advances = [face.getlength(ch) for ch in text]
        width = int(sum(advances) + spacing * size * (len(text) - 1) + size)
        image = Image.new("L", (width, int(size * 1.6)), 0)
        draw = ImageDraw.Draw(image)
        x = size * 0.2
        for ch, advance in zip(text, advances):
            draw.text((x, size * 0.2), ch, font=face, fill=255)
            x += advance + spacing * size
    mask = np.asarray(image, dtype=np.float32) / 255.0
    ys, xs = np.nonzero(mask > 0.02)
    if len(xs) == 0:
        return np.zeros((1, 1), np.float32)
    return mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def place_mask(
    canvas: np.ndarray,
    mask: np.ndarray,
    box: tuple[float, float, float, float],
    colour: Colour,
    align: str = "center",
    max_squeeze: float = 0.55,
) -> tuple[int, int, int, int]:
    """Paint ``mask`` in ``colour`` inside ``box`` (x1, y1, x2, y2), filling its height.

    The mask keeps its aspect ratio unless it is too wide, in which case it is squeezed
    horizontally (down to ``max_squeeze`` of its width) and then shrunk. Returns the painted
    pixel box.
    """
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    mh, mw = mask.shape
    height = bh
    width = mw * height / mh
    if width > bw:
        squeeze = max(max_squeeze, bw / width)
        width *= squeeze
        if width > bw:
            height *= bw / width
            width = bw
    w, h = max(1, round(width)), max(1, round(height))
    resized = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA if w < mw else cv2.INTER_LINEAR)
    if align == "left":
        ox = x1
    elif align == "right":
        ox = x2 - w
    else:
        ox = x1 + (bw - w) / 2
    oy = y1 + (bh - h) / 2
    return paste_alpha(canvas, resized, round(ox), round(oy), colour)


def paste_alpha(canvas: np.ndarray, alpha: np.ndarray, x: int, y: int, colour: Colour) -> tuple[int, int, int, int]:
    """Blend a solid ``colour`` through ``alpha`` onto ``canvas`` at (x, y), clipped to the canvas."""
    H, W = canvas.shape[:2]
    h, w = alpha.shape
    cx1, cy1, cx2, cy2 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if cx1 >= cx2 or cy1 >= cy2:
        return (x, y, x + w, y + h)
    a = alpha[cy1 - y : cy2 - y, cx1 - x : cx2 - x, None]
    region = canvas[cy1:cy2, cx1:cx2]
    region[:] = region * (1 - a) + np.asarray(colour, np.float32) * a
    return (x, y, x + w, y + h)


def text_in_box(
    canvas: np.ndarray,
    text: str,
    font: Path | StrokeFont,
    box: tuple[float, float, float, float],
    colour: Colour,
    spacing: float = 0.0,
    align: str = "center",
    max_squeeze: float = 0.55,
) -> None:
    """Render ``text`` and fit it into ``box``."""
    if text:
        place_mask(canvas, text_mask(text, font, spacing=spacing), box, colour, align, max_squeeze)


def rounded_rect_mask(height: int, width: int, radius: float, inset: float = 0.0) -> np.ndarray:
    """Anti-aliased mask of a rounded rectangle covering the canvas minus ``inset`` pixels."""
    return _rounded_rect_mask(height, width, round(radius * 2) / 2, round(inset * 2) / 2)


@lru_cache(maxsize=256)
def _rounded_rect_mask(height: int, width: int, radius: float, inset: float) -> np.ndarray:
    scale = 4
    image = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(image).rounded_rectangle(
        (inset * scale, inset * scale, (width - inset) * scale - 1, (height - inset) * scale - 1),
        radius=max(1, int(radius * scale)),
        fill=255,
    )
    small = image.resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(small, np.float32) / 255.0


def draw_border(canvas: np.ndarray, colour: Colour, thickness: float, radius: float, inset: float = 1.0) -> None:
    """A rounded rectangular frame ``thickness`` pixels wide, ``inset`` from the edge."""
    h, w = canvas.shape[:2]
    outer = rounded_rect_mask(h, w, radius, inset)
    inner = rounded_rect_mask(h, w, max(1.0, radius - thickness), inset + thickness)
    paste_alpha(canvas, np.clip(outer - inner, 0, 1), 0, 0, colour)


def fill_rect(canvas: np.ndarray, box: tuple[float, float, float, float], colour: Colour) -> None:
    x1, y1, x2, y2 = (round(v) for v in box)
    canvas[max(0, y1) : y2, max(0, x1) : x2] = colour


def fill_circle(canvas: np.ndarray, centre: tuple[float, float], radius: float, colour: Colour) -> None:
    """Anti-aliased filled circle."""
    cx, cy = centre
    r = int(np.ceil(radius)) + 2
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    alpha = np.clip(radius + 0.5 - np.sqrt((xx + (cx - int(cx))) ** 2 + (yy + (cy - int(cy))) ** 2), 0, 1)
    paste_alpha(canvas, alpha, int(cx) - r, int(cy) - r, colour)


def fill_polygon(canvas: np.ndarray, points: list[tuple[float, float]], colour: Colour) -> None:
    """Anti-aliased filled polygon (drawn in a mask the size of its bounding box)."""
    pts = np.asarray(points, np.float32)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 1
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    cv2.fillPoly(mask, [np.round((pts - [x0, y0]) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    paste_alpha(canvas, mask.astype(np.float32) / 255.0, int(x0), int(y0), colour)


def eu_stars(canvas: np.ndarray, centre: tuple[float, float], radius: float, star_size: float) -> None:
    """The ring of twelve yellow stars of the EU band."""
    for k in range(12):
        angle = 2 * np.pi * k / 12
        x, y = centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle)
        points = []
        for j in range(10):
            r = star_size if j % 2 == 0 else star_size * 0.42
            a = -np.pi / 2 + j * np.pi / 5
            points.append((x + r * np.cos(a), y + r * np.sin(a)))
        fill_polygon(canvas, points, (255, 204, 0))


def vertical_gradient(height: int, width: int, top: Colour, bottom: Colour) -> np.ndarray:
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.repeat(column, width, axis=1)

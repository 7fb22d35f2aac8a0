"""Clutter of real US plates that the registration leaves out, for the OCR to learn to ignore.

The held-out US crops the reader got wrong showed it: stacked small characters at the *right* of the
number (New Jersey's ``LE``, Minnesota's ``HC``) and a disabled-driver symbol read as extra characters
(``5520`` -> ``5520E``, ``7364`` -> ``E7364``), a state emblem between the groups (New Mexico's Zia sun)
or a mascot behind the first character (Louisiana's pelican) swallowing a character (``LLY441`` ->
``LLY41``, ``VJT338`` -> ``JT338``). The US style draws these only inside :func:`us_plate_extras`, so
plates rendered without it (every existing data set, clip and cache) stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import cv2
import numpy as np

from train.synth import draw
from train.synth.formats import render_pattern

Colour = tuple[float, float, float]

_EXTRAS: ContextVar[bool] = ContextVar("us_plate_extras", default=False)
#: How often each extra appears on a US plate (inside :func:`us_plate_extras`).
STACKED_RIGHT_PROBABILITY = 0.25
DISABLED_SYMBOL_PROBABILITY = 0.15
MASCOT_PROBABILITY = 0.2
EXTRA_EMBLEM_PROBABILITY = 0.2


@contextmanager
def us_plate_extras(on: bool = True) -> Iterator[None]:
    """Within the block, US plates also carry the clutter of this module (``on=False``: they do not)."""
    token = _EXTRAS.set(bool(on))
    try:
        yield
    finally:
        _EXTRAS.reset(token)


def extras_on() -> bool:
    """Whether US plates are drawn with the extras now."""
    return _EXTRAS.get()


def _mix(colour: Colour, background: np.ndarray, amount: float) -> Colour:
    return tuple(float(c) * amount + float(b) * (1 - amount) for c, b in zip(colour, background))


def draw_mascot(canvas: np.ndarray, rng: np.random.Generator, text_box: list[float], colour: Colour) -> None:
    """A few muted blobs behind the first characters (a pelican, a lobster, a cardinal...)."""
    x1, y1, x2, y2 = text_box
    background = canvas[int(y1) : int(y2), int(x1) : int(x2)].reshape(-1, 3).mean(axis=0)
    for _ in range(int(rng.integers(2, 5))):
        centre = (rng.uniform(x1, x1 + (x2 - x1) * 0.35), rng.uniform(y1, y2))
        axes = (rng.uniform(8, 30), rng.uniform(6, 24))
        mask = np.zeros(canvas.shape[:2], np.float32)
        cv2.ellipse(mask, (centre, (2 * axes[0], 2 * axes[1]), rng.uniform(0, 180)), 1.0, -1, cv2.LINE_AA)
        shade = _mix(colour, background, rng.uniform(0.25, 0.6))
        canvas[:] = canvas * (1 - mask[..., None]) + np.asarray(shade, np.float32) * mask[..., None]


def draw_disabled_symbol(canvas: np.ndarray, box: tuple[float, float, float, float], colour: Colour) -> None:
    """The wheelchair symbol: head, back, seat and wheel, in ``box`` (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    thick = max(2, round(w * 0.12))
    draw.fill_circle(canvas, (x1 + w * 0.45, y1 + h * 0.12), w * 0.12, colour)
    points = [(x1 + w * 0.42, y1 + h * 0.28), (x1 + w * 0.42, y1 + h * 0.6), (x1 + w * 0.8, y1 + h * 0.6)]
    points += [(x1 + w * 0.9, y1 + h * 0.9)]
    pts = np.round(np.asarray(points) * 4).astype(np.int32)
    cv2.polylines(canvas, [pts], False, colour, thick, cv2.LINE_AA, shift=2)
    centre = (round((x1 + w * 0.42) * 4), round((y1 + h * 0.68) * 4))
    axes = (round(w * 0.36 * 4), round(h * 0.26 * 4))
    cv2.ellipse(canvas, centre, axes, 0, 100, 350, colour, thick, cv2.LINE_AA, shift=2)


def draw_emblem(
    canvas: np.ndarray, rng: np.random.Generator, centre: tuple[float, float], radius: float, colour: Colour
) -> None:
    """A state emblem between the groups: a sun with rays (New Mexico's Zia), a diamond or a disc."""
    cx, cy = centre
    kind = rng.choice(["zia", "diamond", "disc"])
    if kind == "disc":
        draw.fill_circle(canvas, centre, radius, colour)
        return
    if kind == "diamond":
        corners = [(cx, cy - radius), (cx + radius * 0.8, cy), (cx, cy + radius), (cx - radius * 0.8, cy)]
        draw.fill_polygon(canvas, corners, colour)
        return
    draw.fill_circle(canvas, centre, radius * 0.4, colour)
    thick = max(1, round(radius * 0.1))
    for angle in (0, 90, 180, 270):  # four groups of four rays
        for k in range(4):
            offset = (k - 1.5) * radius * 0.16
            a = np.deg2rad(angle)
            dx, dy = np.cos(a), np.sin(a)
            px, py = -dy * offset, dx * offset
            reach = radius * (1.0 if k in (1, 2) else 0.85)  # the middle rays are the longest
            start = (cx + dx * radius * 0.5 + px, cy + dy * radius * 0.5 + py)
            end = (cx + dx * reach + px, cy + dy * reach + py)
            pts = np.round(np.asarray([start, end]) * 4).astype(np.int32)
            cv2.polylines(canvas, [pts], False, colour, thick, cv2.LINE_AA, shift=2)


def draw_stacked(canvas: np.ndarray, rng: np.random.Generator, x: float, font, colour: Colour) -> None:
    """Up to two small stacked characters (a county code, ``LE``, ``HC``) in an 18 px column from ``x``
    (the US style draws them at the left always, and at the right with the extras)."""
    small = render_pattern(str(rng.choice(["LL", "DD", "L", "LLL"])), rng)[0]
    for k, ch in enumerate(small[:2]):
        draw.text_in_box(canvas, ch, font, (x, 48 + k * 30, x + 18, 74 + k * 30), colour)


def split_groups(printed: str) -> tuple[str, str] | None:
    """The registration split in two for an emblem: at its first space, else at the first place where
    letters turn to digits or back with at least two characters each side (one character alone would be
    drawn as large as its half of the plate); None when there is no such place."""
    if " " in printed:
        left, right = printed.split(" ", 1)
        return left, right
    for i in range(2, len(printed) - 1):
        before, after = printed[i - 1], printed[i]
        if before.isalpha() != after.isalpha() and before.isalnum() and after.isalnum():
            return printed[:i], printed[i:]
    return None

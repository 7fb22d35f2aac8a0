"""Plates with two rows of characters: square European rear plates (Czech, German), old Brazilian
motorcycle plates and US motorcycle plates.

The label is the top row followed by the bottom row, the order they are read in. These styles are
drawn only when named (``anpr synth --styles``): the reader reads one row, so they are not in the
training mix of one-row plates (:data:`train.synth.styles.STYLES`); they exist to measure how the
device reads them (:mod:`edge.two_rows`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from train.synth import draw
from train.synth.fonts import header_fonts, plate_fonts
from train.synth.formats import render_pattern
from train.synth.styles import (
    _DARK_INKS,
    BR_CITIES,
    EU_BLUE,
    US_STATES,
    RenderedPlate,
    _jitter,
    _pick,
)


def _eu_band(canvas: np.ndarray, width: float, code: str, rng: np.random.Generator) -> None:
    """The blue band down the left side, with the stars and the country code low in it."""
    h = canvas.shape[0]
    draw.fill_rect(canvas, (0, 0, width, h), EU_BLUE)
    draw.eu_stars(canvas, (width / 2, h * 0.3), width * 0.3, width * 0.07)
    draw.text_in_box(canvas, code, _pick(rng, plate_fonts()), (4, h * 0.62, width - 4, h * 0.8), (255, 255, 255))


def _rows(
    canvas: np.ndarray,
    top: str,
    bottom: str,
    x1: float,
    x2: float,
    rng: np.random.Generator,
    ink: tuple[int, int, int],
    top_y: tuple[float, float],
    bottom_y: tuple[float, float],
    font=None,
) -> None:
    """Draw the two rows of text between ``x1`` and ``x2`` at the given heights, in one font."""
    font = font or _pick(rng, plate_fonts())
    spacing = rng.uniform(0.0, 0.1)
    draw.text_in_box(canvas, top, font, (x1, top_y[0], x2, top_y[1]), ink, spacing=spacing)
    draw.text_in_box(canvas, bottom, font, (x1, bottom_y[0], x2, bottom_y[1]), ink, spacing=spacing)


def render_cz_two_row(rng: np.random.Generator) -> RenderedPlate:
    """Czech square rear plate (340 x 200 mm): ``1A2`` over ``3456``, EU band on the left."""
    h, w = 200, 340
    canvas = np.full((h, w, 3), _jitter((245, 245, 245), rng, 8), np.float32)
    ink = _jitter((15, 15, 15), rng, 10)
    band = rng.uniform(40, 46)
    _eu_band(canvas, band, "CZ", rng)
    top, top_label = render_pattern(_pick(rng, ["NLA", "NLL", "NLD"]), rng)
    bottom, bottom_label = render_pattern("DDDD", rng)
    x1, x2 = band + rng.uniform(14, 26), w - rng.uniform(12, 22)
    _rows(
        canvas,
        top,
        bottom,
        x1,
        x2,
        rng,
        ink,
        (rng.uniform(12, 18), 92),
        (rng.uniform(106, 110), h - rng.uniform(12, 18)),
    )
    draw.draw_border(canvas, (20, 20, 20), rng.uniform(1.5, 3.5), 8)
    return RenderedPlate(canvas, top_label + bottom_label, "eu_cz_two_row", "eu")


def render_de_two_row(rng: np.random.Generator) -> RenderedPlate:
    """German two-row plate (340 x 200 mm): district and letters with the seals between them over the
    number, EU band on the left."""
    h, w = 200, 340
    canvas = np.full((h, w, 3), _jitter((245, 245, 245), rng, 8), np.float32)
    ink = _jitter((15, 15, 15), rng, 10)
    band = rng.uniform(40, 46)
    _eu_band(canvas, band, "D", rng)
    district, district_label = render_pattern(_pick(rng, ["L", "LL", "LLL"]), rng)
    letters, letters_label = render_pattern(_pick(rng, ["L", "LL"]), rng)
    number, number_label = render_pattern(_pick(rng, ["DD", "DDD", "DDDD", "NDE", "NDDH"]), rng)
    font = _pick(rng, plate_fonts())
    x1, x2 = band + rng.uniform(10, 18), w - rng.uniform(10, 18)
    top_y = (rng.uniform(12, 18), 92.0)
    mid = x1 + (x2 - x1) * (0.2 + 0.12 * len(district)) / (1 + 0.12 * (len(letters) - 1))
    draw.text_in_box(canvas, district, font, (x1, *top_y[:1], mid - 22, top_y[1]), ink, align="right", max_squeeze=0.45)
    draw.fill_circle(canvas, (mid, 36), 15, _jitter((80, 140, 200), rng, 60))
    draw.fill_circle(canvas, (mid, 72), 13, _jitter((200, 180, 120), rng, 40))
    draw.text_in_box(canvas, letters, font, (mid + 22, top_y[0], x2, top_y[1]), ink, align="left", max_squeeze=0.45)
    bottom_y = (rng.uniform(106, 110), h - rng.uniform(12, 18))
    draw.text_in_box(canvas, number, font, (x1 + 10, bottom_y[0], x2 - 10, bottom_y[1]), ink, max_squeeze=0.45)
    draw.draw_border(canvas, (20, 20, 20), rng.uniform(1.5, 3.5), 8)
    return RenderedPlate(canvas, district_label + letters_label + number_label, "eu_de_two_row", "eu")


def render_br_grey_moto(rng: np.random.Generator) -> RenderedPlate:
    """Old Brazilian motorcycle plate (187 x 136 mm): grey, the city above ``ABC`` over ``1234``."""
    h, w = 272, 374
    red = rng.random() < 0.15
    bg = _jitter((200, 40, 40), rng, 20) if red else _jitter((190, 190, 188), rng, 30)
    ink = (240, 240, 240) if red else _jitter((20, 20, 20), rng, 10)
    canvas = np.full((h, w, 3), bg, np.float32)
    draw.text_in_box(
        canvas, _pick(rng, BR_CITIES), _pick(rng, plate_fonts()), (40, 8, w - 40, rng.uniform(30, 38)), ink
    )
    top, top_label = render_pattern("LLL", rng)
    bottom, bottom_label = render_pattern("DDDD", rng)
    x1, x2 = rng.uniform(14, 30), w - rng.uniform(14, 30)
    _rows(
        canvas,
        top,
        bottom,
        x1 + 40,
        x2 - 40,
        rng,
        ink,
        (rng.uniform(44, 52), 148),
        (rng.uniform(160, 166), h - rng.uniform(10, 18)),
    )
    draw.draw_border(canvas, ink, rng.uniform(2, 4), 6)
    return RenderedPlate(canvas, top_label + bottom_label, "br_grey_moto", "br")


def render_us_moto(rng: np.random.Generator) -> RenderedPlate:
    """US motorcycle plate (7 x 4 in) with the registration in two rows: ``12`` over ``345`` under the
    state name."""
    h, w = 228, 400
    canvas = np.full((h, w, 3), _jitter((245, 245, 242), rng, 8), np.float32)
    ink = _pick(rng, _DARK_INKS)
    draw.text_in_box(
        canvas, _pick(rng, US_STATES), _pick(rng, header_fonts()), (50, 8, w - 50, rng.uniform(34, 42)), ink
    )
    top, top_label = render_pattern(_pick(rng, ["LL", "DD", "LLL", "DDD", "LD"]), rng)
    bottom, bottom_label = render_pattern(_pick(rng, ["DDD", "DDDD", "LLD", "DDL"]), rng)
    _rows(
        canvas,
        top,
        bottom,
        40,
        w - 40,
        rng,
        ink,
        (rng.uniform(48, 56), 130),
        (rng.uniform(142, 148), h - rng.uniform(12, 20)),
    )
    draw.draw_border(canvas, ink, rng.uniform(1.5, 4), 12)
    return RenderedPlate(canvas, top_label + bottom_label, "us_moto", "us")


#: Two-row styles by name, with their sampling weights when several are named.
TWO_ROW_STYLES: dict[str, tuple[Callable[[np.random.Generator], RenderedPlate], float]] = {
    "eu_cz_two_row": (render_cz_two_row, 1.0),
    "eu_de_two_row": (render_de_two_row, 1.0),
    "br_grey_moto": (render_br_grey_moto, 1.0),
    "us_moto": (render_us_moto, 1.0),
}
TWO_ROW_NAMES: list[str] = list(TWO_ROW_STYLES)
"""The two-row styles' names, for ``render_plate_sample(rng, TWO_ROW_NAMES)``."""

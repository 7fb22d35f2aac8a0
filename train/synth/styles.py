"""Plate styles: each renders a clean plate image with its exact label.

A style is a function ``(rng) -> RenderedPlate``. Styles cover the regions the shipped models
read (US, EU with Czech/Slovak/German/Polish/Italian/French/Dutch/Romanian formats, Brazil old
grey and Mercosul) and Tunisia for detector generality. Only characters that belong to the
registration are in the label: state names, slogans, stickers, country codes, bands and
stacked small characters are clutter the OCR must learn to ignore.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from train.synth import draw
from train.synth.fonts import arabic_fonts, header_fonts, plate_fonts
from train.synth.formats import ARABIC_TUNIS, render_pattern, vanity_text
from train.synth.us_extras import (
    DISABLED_SYMBOL_PROBABILITY,
    EXTRA_EMBLEM_PROBABILITY,
    MASCOT_PROBABILITY,
    STACKED_RIGHT_PROBABILITY,
    draw_disabled_symbol,
    draw_emblem,
    draw_mascot,
    draw_stacked,
    extras_on,
    split_groups,
)


@dataclass(frozen=True)
class RenderedPlate:
    """A clean plate: RGB float32 image, normalised label, style name, region."""

    image: np.ndarray
    text: str
    style: str
    region: str


def _pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def _jitter(colour, rng: np.random.Generator, amount: int = 12):
    """Vary brightness by up to ``amount`` and hue only slightly, as paint and lighting do."""
    common = rng.integers(-amount, amount + 1)
    return tuple(int(np.clip(c + common + rng.integers(-3, 4), 0, 255)) for c in colour)


# ---------------------------------------------------------------- United States
US_STATES = [
    "ALABAMA",
    "ALASKA",
    "ARIZONA",
    "ARKANSAS",
    "California",
    "COLORADO",
    "Connecticut",
    "DELAWARE",
    "Florida",
    "GEORGIA",
    "Hawaii",
    "IDAHO",
    "Illinois",
    "INDIANA",
    "IOWA",
    "KANSAS",
    "KENTUCKY",
    "Louisiana",
    "MAINE",
    "MARYLAND",
    "Massachusetts",
    "MICHIGAN",
    "Minnesota",
    "MISSISSIPPI",
    "MISSOURI",
    "MONTANA",
    "NEBRASKA",
    "NEVADA",
    "New Hampshire",
    "New Jersey",
    "NEW MEXICO",
    "NEW YORK",
    "North Carolina",
    "NORTH DAKOTA",
    "OHIO",
    "OKLAHOMA",
    "OREGON",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "SOUTH DAKOTA",
    "Tennessee",
    "TEXAS",
    "UTAH",
    "Vermont",
    "VIRGINIA",
    "Washington",
    "West Virginia",
    "WISCONSIN",
    "WYOMING",
    "DISTRICT OF COLUMBIA",
]
US_SLOGANS = [
    "Sunshine State",
    "EMPIRE STATE",
    "Garden State",
    "Land of Lincoln",
    "Great Lakes",
    "Ocean State",
    "THE FIRST STATE",
    "Famous Potatoes",
    "Heart of Dixie",
    "Live Free or Die",
    "Grand Canyon State",
    "America's Dairyland",
    "Show Me State",
    "Sportsman's Paradise",
    "Volunteer State",
    "keystone state",
    "Peach State",
    "Lone Star State",
    "Evergreen State",
    "Aloha State",
    "Wild Wonderful",
    "COUNTY",
    "First in Flight",
    "Pure Michigan",
    "Explore Minnesota",
    "",
    "",
    "",
]
US_FORMATS = [
    "LLL DDDD",
    "LLL-DDDD",
    "NLLLDDD",
    "LLL DDD",
    "DDD LLL",
    "LL DDDDD",
    "DLL DDD",
    "LLL-DDD",
    "DDD-LLL",
    "LLLDDDD",
    "DDDDDD",
    "LL DDDD",
    "L DDDDD",
    "DDD DDD",
    "LLL DDL",
]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DARK_INKS = [(20, 30, 110), (15, 15, 20), (150, 20, 30), (20, 90, 40), (100, 20, 40), (30, 60, 140)]
_LIGHT_INKS = [(255, 255, 255), (250, 215, 60), (240, 240, 200)]


def _us_background(h: int, w: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    kind = rng.choice(["white", "sky", "scenic", "yellow", "dark", "pale"], p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    if kind == "white":
        return np.full((h, w, 3), _jitter((245, 245, 242), rng, 8), np.float32), False
    if kind == "sky":
        return draw.vertical_gradient(h, w, _jitter((150, 190, 235), rng, 25), _jitter((250, 250, 250), rng, 5)), False
    if kind == "pale":
        return np.full(
            (h, w, 3), _jitter(_pick(rng, [(235, 225, 200), (220, 235, 220), (235, 220, 225)]), rng), np.float32
        ), False
    if kind == "yellow":
        return np.full((h, w, 3), _jitter(_pick(rng, [(245, 200, 50), (240, 150, 40)]), rng), np.float32), False
    if kind == "dark":
        return np.full(
            (h, w, 3), _jitter(_pick(rng, [(20, 40, 110), (20, 20, 25), (30, 70, 40)]), rng), np.float32
        ), True
    canvas = draw.vertical_gradient(h, w, _jitter((170, 205, 240), rng, 20), (250, 250, 245))
    for _ in range(int(rng.integers(2, 5))):  # blurred hills / shapes behind the text
        cx, cy = rng.uniform(0, w), rng.uniform(h * 0.5, h * 1.1)
        draw.fill_circle(
            canvas,
            (cx, cy),
            rng.uniform(h * 0.3, h * 0.8),
            _jitter(_pick(rng, [(120, 170, 110), (200, 160, 110), (230, 190, 140)]), rng, 20),
        )
    import cv2

    canvas = cv2.GaussianBlur(canvas, (0, 0), 3)
    canvas = canvas * 0.55 + 255 * 0.45  # keep it pale so the text stands out as on real plates
    return canvas.astype(np.float32), False


def render_us(rng: np.random.Generator) -> RenderedPlate:
    h, w = 150, 300
    canvas, dark = _us_background(h, w, rng)
    ink = _pick(rng, _LIGHT_INKS) if dark else _pick(rng, _DARK_INKS)
    accent = _pick(rng, _LIGHT_INKS) if dark else _pick(rng, _DARK_INKS)
    if rng.random() < 0.12:
        printed, label = vanity_text(rng)
    else:
        printed, label = render_pattern(_pick(rng, US_FORMATS), rng)
    font = _pick(rng, plate_fonts())
    state = _pick(rng, US_STATES)
    if rng.random() < 0.3:
        state = state.lower().title()
    draw.text_in_box(canvas, state, _pick(rng, header_fonts()), (40, 8, 260, rng.uniform(28, 36)), accent)
    slogan = _pick(rng, US_SLOGANS)
    draw.text_in_box(canvas, slogan, _pick(rng, header_fonts()), (60, 124, 240, rng.uniform(138, 145)), accent)
    text_box = [rng.uniform(12, 30), rng.uniform(38, 46), w - rng.uniform(12, 30), rng.uniform(110, 120)]
    extras = extras_on()  # train.synth.us_extras: more clutter of real plates, drawn only when asked
    if extras:
        if rng.random() < STACKED_RIGHT_PROBABILITY:
            draw_stacked(canvas, rng, text_box[2] - 18, font, ink)
            text_box[2] -= 26
        if rng.random() < DISABLED_SYMBOL_PROBABILITY:
            draw_disabled_symbol(canvas, (text_box[0], 52.0, text_box[0] + 30, 104.0), ink)
            text_box[0] += 36
        if rng.random() < MASCOT_PROBABILITY:
            draw_mascot(canvas, rng, text_box, accent)
    if rng.random() < 0.15:  # stacked small characters at the left (county, disabled, ...): clutter
        draw_stacked(canvas, rng, text_box[0], font, ink)
        text_box[0] += 26
    groups = split_groups(printed) if extras else (printed.split(" ", 1) if " " in printed else None)
    # a symbol between groups (peach, heart, state outline; with the extras also a Zia sun or a diamond)
    if (rng.random() < 0.15 or (extras and rng.random() < EXTRA_EMBLEM_PROBABILITY)) and groups is not None:
        left, right = groups
        mid = (text_box[0] + text_box[2]) / 2
        radius = rng.uniform(11, 20) if extras else 11
        gap = radius + 3
        draw.text_in_box(canvas, left, font, (text_box[0], text_box[1], mid - gap, text_box[3]), ink, align="right")
        centre = (mid, (text_box[1] + text_box[3]) / 2)
        if extras:
            draw_emblem(canvas, rng, centre, radius, _jitter(_pick(rng, [(230, 120, 60), (200, 40, 40)]), rng, 40))
        else:
            draw.fill_circle(canvas, centre, radius, _jitter((230, 120, 60), rng, 40))
        draw.text_in_box(canvas, right, font, (mid + gap, text_box[1], text_box[2], text_box[3]), ink, align="left")
    else:
        draw.text_in_box(canvas, printed, font, tuple(text_box), ink, spacing=rng.uniform(0.0, 0.12))
    for corner_x in [8, w - 48] if rng.random() < 0.5 else [_pick(rng, [8, w - 48])]:
        if rng.random() < 0.75:  # registration stickers
            y = rng.uniform(6, 14) if rng.random() < 0.7 else rng.uniform(110, 118)
            colour = _jitter(
                _pick(rng, [(240, 200, 40), (60, 170, 80), (200, 50, 60), (250, 250, 250), (70, 120, 220)]), rng
            )
            draw.fill_rect(canvas, (corner_x, y, corner_x + 40, y + 24), colour)
            draw.text_in_box(
                canvas,
                _pick(rng, MONTHS) if rng.random() < 0.5 else str(rng.integers(20, 30)),
                _pick(rng, plate_fonts()),
                (corner_x + 4, y + 3, corner_x + 36, y + 21),
                (20, 20, 20),
            )
    for bx in (w * 0.27, w * 0.73):
        if rng.random() < 0.7:
            draw.fill_circle(canvas, (bx, rng.uniform(10, 16)), 4, (60, 60, 60))
    draw.draw_border(canvas, accent if rng.random() < 0.5 else (30, 30, 30), rng.uniform(1.5, 4), 12)
    return RenderedPlate(canvas, label, "us", "us")


# ---------------------------------------------------------------- Europe
EU_BLUE = (0, 51, 153)


@dataclass(frozen=True)
class EuFormat:
    """One European country's plate: code in the band, text patterns, look."""

    style: str
    code: str
    patterns: tuple[str, ...]
    background: tuple[int, int, int] = (245, 245, 245)
    right_band: bool = False
    seals: bool = False
    condensed: bool = False


EU_FORMATS = [
    EuFormat("eu_cz", "CZ", ("NLA DDDD", "NLL DDDD")),
    EuFormat("eu_sk", "SK", ("LL-DDDLL", "LL DDDLL", "LLDDDLL")),
    EuFormat(
        "eu_de",
        "D",
        ("L-LL DDDD", "LL-L DDD", "LLL-LL DD", "LL-LL DDDD", "L-L DDDD", "LLL-L DDD", "LL-LL DDDE", "L-LL DDH"),
        seals=True,
        condensed=True,
    ),
    EuFormat("eu_pl", "PL", ("LL DDDDD", "LL DDDLL", "LLL DDDL", "LL DDDDL", "LLL LLDD")),
    EuFormat("eu_it", "I", ("LL DDDLL", "LL DDD LL"), right_band=True),
    EuFormat("eu_fr", "F", ("LL-DDD-LL",), right_band=True),
    EuFormat(
        "eu_nl",
        "NL",
        ("LL-DDD-L", "D-LLL-DD", "LL-DD-LL", "DD-LLL-D", "L-DDD-LL", "LLL-DD-L"),
        background=(250, 200, 20),
    ),
    EuFormat("eu_ro", "RO", ("B DD LLL", "B DDD LLL", "LL DD LLL", "LL DDD LLL")),  # one-letter county: B only
]


def _eu_band(canvas: np.ndarray, x1: float, x2: float, code: str, rng: np.random.Generator) -> None:
    h = canvas.shape[0]
    draw.fill_rect(canvas, (x1, 0, x2, h), EU_BLUE)
    cx = (x1 + x2) / 2
    draw.eu_stars(canvas, (cx, h * 0.32), (x2 - x1) * 0.3, (x2 - x1) * 0.07)
    draw.text_in_box(canvas, code, _pick(rng, plate_fonts()), (x1 + 4, h * 0.58, x2 - 4, h * 0.88), (255, 255, 255))


def render_eu(fmt: EuFormat, rng: np.random.Generator) -> RenderedPlate:
    h, w = 110, 520
    canvas = np.full((h, w, 3), _jitter(fmt.background, rng, 8), np.float32)
    ink = _jitter((15, 15, 15), rng, 10)
    printed, label = render_pattern(_pick(rng, fmt.patterns), rng)
    font = _pick(rng, plate_fonts())
    band = rng.uniform(40, 48)
    if fmt.code == "F" and rng.random() < 0.15:
        band = 0.0  # old French plates without the EU band
    if band:
        _eu_band(canvas, 0, band, fmt.code, rng)
    x1, x2 = band + rng.uniform(6, 14), w - rng.uniform(6, 14)
    if fmt.right_band:
        rx = w - band
        draw.fill_rect(canvas, (rx, 0, w, h), EU_BLUE)
        if fmt.code == "I":
            draw.fill_circle(canvas, (rx + band / 2, h * 0.3), band * 0.22, (255, 204, 0))
            draw.text_in_box(
                canvas, render_pattern("LL", rng)[0], font, (rx + 5, h * 0.6, w - 5, h * 0.85), (255, 255, 255)
            )
        else:
            draw.fill_rect(canvas, (rx + 6, h * 0.12, w - 6, h * 0.5), _jitter((200, 40, 50), rng, 60))
            draw.text_in_box(
                canvas, f"{rng.integers(1, 96):02d}", font, (rx + 5, h * 0.6, w - 5, h * 0.88), (255, 255, 255)
            )
        x2 = rx - rng.uniform(6, 12)
    y1, y2 = rng.uniform(12, 18), h - rng.uniform(12, 18)
    if fmt.seals and "-" in printed:
        city, rest = printed.split("-", 1)
        width = x2 - x1
        city_w = width * (0.12 + 0.11 * len(city)) / (1 + 0.12 * len(rest.replace(" ", "")))
        draw.text_in_box(canvas, city, font, (x1, y1, x1 + city_w, y2), ink, align="right", max_squeeze=0.4)
        seal_x = x1 + city_w + 22
        draw.fill_circle(canvas, (seal_x, h * 0.35), 15, _jitter((80, 140, 200), rng, 60))
        draw.fill_circle(canvas, (seal_x, h * 0.72), 13, _jitter((200, 180, 120), rng, 40))
        draw.text_in_box(canvas, rest, font, (seal_x + 22, y1, x2, y2), ink, align="left", max_squeeze=0.4)
    elif fmt.code == "SK" and rng.random() < 0.6:  # coat of arms between district and number
        district, rest = printed[:2], printed[2:].lstrip("- ")
        draw.text_in_box(canvas, district, font, (x1, y1, x1 + (x2 - x1) * 0.27, y2), ink, align="right")
        sx = x1 + (x2 - x1) * 0.31
        draw.fill_polygon(canvas, [(sx - 14, 30), (sx + 14, 30), (sx + 14, 62), (sx, 80), (sx - 14, 62)], (200, 30, 40))
        draw.fill_rect(canvas, (sx - 2, 36, sx + 2, 70), (255, 255, 255))
        draw.text_in_box(canvas, rest, font, (sx + 22, y1, x2, y2), ink, align="left")
    else:
        draw.text_in_box(
            canvas,
            printed,
            font,
            (x1, y1, x2, y2),
            ink,
            spacing=rng.uniform(0.0, 0.1),
            max_squeeze=0.45 if fmt.condensed else 0.55,
        )
    draw.draw_border(canvas, (20, 20, 20), rng.uniform(1.5, 3.5), 8)
    return RenderedPlate(canvas, label, fmt.style, "eu")


def render_fr_fni(rng: np.random.Generator) -> RenderedPlate:
    """Old French FNI ``1234 AB 56``: black with silver characters or white/yellow without EU band."""
    h, w = 110, 520
    dept = f"{rng.integers(1, 96):02d}"
    printed, label = render_pattern(_pick(rng, ["DDDD LL ", "DDD LL ", "DDD LLL ", "DD LLL "]), rng)
    printed, label = printed + dept, label + dept
    kind = rng.choice(["black", "white", "yellow"], p=[0.4, 0.35, 0.25])
    bg = {"black": (20, 20, 20), "white": (245, 245, 245), "yellow": (245, 200, 30)}[kind]
    ink = (225, 225, 225) if kind == "black" else (15, 15, 15)
    canvas = np.full((h, w, 3), _jitter(bg, rng, 8), np.float32)
    draw.text_in_box(
        canvas, printed, _pick(rng, plate_fonts()), (16, 16, w - 16, h - 16), ink, spacing=rng.uniform(0, 0.1)
    )
    draw.draw_border(canvas, ink, 2.5, 8)
    return RenderedPlate(canvas, label, "eu_fr_fni", "eu")


# ---------------------------------------------------------------- Brazil
BR_CITIES = [
    "SAO PAULO - SP",
    "RIO DE JANEIRO - RJ",
    "CURITIBA - PR",
    "BELO HORIZONTE - MG",
    "CAMPINAS - SP",
    "PORTO ALEGRE - RS",
    "SALVADOR - BA",
    "RECIFE - PE",
    "FORTALEZA - CE",
    "GOIANIA - GO",
    "SANTOS - SP",
    "LONDRINA - PR",
    "BRASILIA - DF",
    "MANAUS - AM",
    "JOINVILLE - SC",
]


def render_br_grey(rng: np.random.Generator) -> RenderedPlate:
    """Old Brazilian plate ``ABC-1234``: grey with black characters (red with white for hire cars)."""
    h, w = 130, 400
    red = rng.random() < 0.15
    bg = _jitter((200, 40, 40), rng, 20) if red else _jitter((190, 190, 188), rng, 30)
    ink = (240, 240, 240) if red else _jitter((20, 20, 20), rng, 10)
    canvas = np.full((h, w, 3), bg, np.float32)
    printed, label = render_pattern("LLL-DDDD" if rng.random() < 0.85 else "LLL DDDD", rng)
    font = _pick(rng, plate_fonts())
    draw.text_in_box(
        canvas, _pick(rng, BR_CITIES), _pick(rng, plate_fonts()), (60, 6, w - 60, rng.uniform(24, 30)), ink
    )
    draw.text_in_box(
        canvas,
        printed,
        font,
        (rng.uniform(10, 20), rng.uniform(34, 40), w - rng.uniform(10, 20), h - rng.uniform(8, 14)),
        ink,
        spacing=rng.uniform(0, 0.08),
    )
    for bx in (w * 0.1, w * 0.9):
        draw.fill_circle(canvas, (bx, 16), 5, (90, 90, 90))
    draw.draw_border(canvas, ink, rng.uniform(2, 4), 6)
    return RenderedPlate(canvas, label, "br_grey", "br")


def render_br_mercosul(rng: np.random.Generator) -> RenderedPlate:
    """Mercosul Brazilian plate ``ABC1D23``: white with a blue top band reading BRASIL."""
    h, w = 130, 400
    canvas = np.full((h, w, 3), _jitter((245, 245, 245), rng, 6), np.float32)
    band = rng.uniform(24, 30)
    draw.fill_rect(canvas, (0, 0, w, band), (0, 50, 160))
    draw.text_in_box(canvas, "BRASIL", _pick(rng, plate_fonts()), (w * 0.35, 4, w * 0.65, band - 4), (255, 255, 255))
    draw.text_in_box(canvas, "BR", _pick(rng, plate_fonts()), (8, band + 8, 30, band + 26), (20, 20, 20))
    draw.fill_rect(canvas, (w - 42, 5, w - 10, band - 5), (0, 150, 60))
    draw.fill_polygon(canvas, [(w - 26, 6), (w - 12, band / 2), (w - 26, band - 6), (w - 40, band / 2)], (255, 210, 0))
    draw.fill_circle(canvas, (w - 26, band / 2), (band - 12) / 3.5, (20, 40, 140))
    printed, label = render_pattern("LLLDLDD", rng)
    draw.text_in_box(
        canvas,
        printed,
        _pick(rng, plate_fonts()),
        (rng.uniform(30, 40), band + rng.uniform(8, 14), w - rng.uniform(14, 24), h - rng.uniform(8, 14)),
        _jitter((15, 15, 15), rng, 8),
        spacing=rng.uniform(0, 0.1),
    )
    draw.draw_border(canvas, (20, 20, 20), 2.5, 8)
    return RenderedPlate(canvas, label, "br_mercosul", "br")


# ---------------------------------------------------------------- Tunisia
def render_tn(rng: np.random.Generator) -> RenderedPlate:
    """Tunisian plate ``123 تونس 4567``: black with white characters; the word is labelled ``T``."""
    h, w = 110, 520
    canvas = np.full((h, w, 3), _jitter((15, 15, 15), rng, 8), np.float32)
    ink = _jitter((235, 235, 235), rng, 15)
    series = str(rng.integers(1, 260))
    number = str(rng.integers(1, 10000))
    font = _pick(rng, plate_fonts())
    y1, y2 = rng.uniform(14, 20), h - rng.uniform(14, 20)
    draw.text_in_box(canvas, series, font, (16, y1, w * 0.33, y2), ink, align="right")
    draw.text_in_box(canvas, ARABIC_TUNIS, _pick(rng, arabic_fonts()), (w * 0.37, y1 + 8, w * 0.6, y2 - 6), ink)
    draw.text_in_box(canvas, number, font, (w * 0.64, y1, w - 16, y2), ink, align="left")
    draw.draw_border(canvas, ink, 2.5, 8)
    return RenderedPlate(canvas, f"{series}T{number}", "tn", "tn")


def _eu_renderer(fmt: EuFormat) -> Callable[[np.random.Generator], RenderedPlate]:
    return lambda rng: render_eu(fmt, rng)


#: Every style by name, with its sampling weight for a mixed batch.
STYLES: dict[str, tuple[Callable[[np.random.Generator], RenderedPlate], float]] = {
    "us": (render_us, 4.0),
    **{fmt.style: (_eu_renderer(fmt), 1.0) for fmt in EU_FORMATS},
    "eu_fr_fni": (render_fr_fni, 0.5),
    "br_grey": (render_br_grey, 2.0),
    "br_mercosul": (render_br_mercosul, 1.0),
    "tn": (render_tn, 1.0),
}

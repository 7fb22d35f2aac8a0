"""A procedural stroke font in the style of DIN 1451, the lettering of most European plates.

The installed fonts the renderer draws plates with are wide book and display sans faces; Czech,
Slovak, German, Romanian and many other plates use narrow, even-stroked DIN 1451 (or the
FE-Schrift derived from it), and old Brazilian plates a close relative. No such font ships in a pip
package and nothing may be downloaded, so these glyphs are drawn here: each character is a few
centre-line strokes (lines and elliptical arcs) in a box one unit high, painted with a round pen of
the chosen weight and condensed or widened by the chosen width. :class:`StrokeFont` renders a text
mask the way :func:`train.synth.draw.text_mask` does for a font file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

Point = tuple[float, float]
Stroke = list[Point]

#: Default glyph width (centre line, in units of the centre-line height).
_W = 0.50


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 14) -> Stroke:
    """Points of an elliptical arc from ``start`` to ``end`` degrees (counter-clockwise, 0 = right,
    90 = up; the y axis points down)."""
    angles = np.linspace(math.radians(start), math.radians(end), steps)
    return [(cx + rx * math.cos(a), cy - ry * math.sin(a)) for a in angles]


def _stadium(w: float) -> Stroke:
    """A closed oval of straight sides and round ends (DIN's O and 0)."""
    r = w / 2
    return _arc(r, r, r, r, 0, 180) + _arc(r, 1 - r, r, r, 180, 360) + [(w, r)]


def _glyphs(w: float) -> dict[str, tuple[float, list[Stroke]]]:
    """Every character's (advance width, strokes) for a glyph width ``w``."""
    r = w / 2
    bowl = 0.24  # radius of the small bowls of B, P, R, D's corners
    top_mid, bot_mid = 0.46, 0.54
    g: dict[str, tuple[float, list[Stroke]]] = {}
    g["0"] = (w * 0.92, [_stadium(w * 0.92)])
    g["O"] = (w * 1.1, [_stadium(w * 1.1)])
    q = w * 1.1
    g["Q"] = (q, [_stadium(q), [(q * 0.55, 0.7), (q * 1.02, 1.05)]])
    g["1"] = (w * 0.6, [[(w * 0.05, 0.24), (w * 0.55, 0.0), (w * 0.55, 1.0)]])
    g["2"] = (w, [[*_arc(r, r, r, r, 160, -10), (0.0, 1.0), (w, 1.0)]])
    g["3"] = (w, [_arc(r * 0.95, 0.26, r * 0.95, 0.26, 160, -90) + _arc(r, 0.74, r, 0.26, 90, -160)])
    g["4"] = (w, [[(w * 0.75, 1.0), (w * 0.75, 0.0), (0.0, 0.68), (w, 0.68)]])
    g["5"] = (w, [[(w * 0.95, 0.0), (w * 0.08, 0.0), (w * 0.03, 0.44), *_arc(r, 0.68, r, 0.32, 140, -150)]])
    g["6"] = (w, [_arc(r, 0.68, r, 0.32, 0, 360), [(w * 0.02, 0.6), (w * 0.68, 0.0)]])
    g["7"] = (w, [[(0.0, 0.0), (w, 0.0), (w * 0.3, 1.0)]])
    g["8"] = (w, [_arc(r, 0.25, r * 0.88, 0.25, 0, 360), _arc(r, 0.75, r, 0.25, 0, 360)])
    g["9"] = (w, [_arc(r, 0.32, r, 0.32, 0, 360), [(w * 0.98, 0.4), (w * 0.32, 1.0)]])
    g["A"] = (w * 1.1, [[(0.0, 1.0), (w * 0.55, 0.0), (w * 1.1, 1.0)], [(w * 0.18, 0.68), (w * 0.92, 0.68)]])
    bw = w * 0.95
    g["B"] = (
        bw,
        [
            [
                (0.0, top_mid),
                (bw - bowl, top_mid),
                *_arc(bw - bowl - 0.02, top_mid / 2, bowl, top_mid / 2, -90, 90),
                (0.0, 0.0),
                (0.0, 1.0),
                (bw - bowl, 1.0),
                *_arc(bw - bowl, (1 + top_mid) / 2, bowl, (1 - top_mid) / 2, -90, 90),
                (0.0, top_mid),
            ]
        ],
    )
    g["C"] = (w, [_arc(r, r, r, r, 25, 180) + _arc(r, 1 - r, r, r, 180, 335)])
    dr = w * 0.45
    g["D"] = (
        w,
        [
            [
                (0.0, 0.0),
                (w - dr, 0.0),
                *_arc(w - dr, dr, dr, dr, 90, 0),
                *_arc(w - dr, 1 - dr, dr, dr, 0, -90),
                (0.0, 1.0),
                (0.0, 0.0),
            ]
        ],
    )
    g["E"] = (
        w * 0.85,
        [[(w * 0.85, 0.0), (0.0, 0.0), (0.0, 1.0), (w * 0.85, 1.0)], [(0.0, top_mid), (w * 0.75, top_mid)]],
    )
    g["F"] = (w * 0.8, [[(w * 0.8, 0.0), (0.0, 0.0), (0.0, 1.0)], [(0.0, top_mid), (w * 0.7, top_mid)]])
    g["G"] = (w, [_arc(r, r, r, r, 25, 180) + _arc(r, 1 - r, r, r, 180, 360) + [(w, bot_mid), (w * 0.55, bot_mid)]])
    g["H"] = (w, [[(0.0, 0.0), (0.0, 1.0)], [(w, 0.0), (w, 1.0)], [(0.0, top_mid), (w, top_mid)]])
    g["I"] = (0.0, [[(0.0, 0.0), (0.0, 1.0)]])
    g["J"] = (w * 0.9, [[(w * 0.9, 0.0), *_arc(w * 0.45, 1 - w * 0.45, w * 0.45, w * 0.45, 0, -180), (0.0, 0.72)]])
    g["K"] = (w, [[(0.0, 0.0), (0.0, 1.0)], [(w, 0.0), (0.0, 0.62)], [(w * 0.32, 0.42), (w, 1.0)]])
    g["L"] = (w * 0.8, [[(0.0, 0.0), (0.0, 1.0), (w * 0.8, 1.0)]])
    g["M"] = (w * 1.25, [[(0.0, 1.0), (0.0, 0.0), (w * 0.625, 0.62), (w * 1.25, 0.0), (w * 1.25, 1.0)]])
    g["N"] = (w, [[(0.0, 1.0), (0.0, 0.0), (w, 1.0), (w, 0.0)]])
    pr = 0.27
    g["P"] = (
        w * 0.95,
        [[(0.0, 1.0), (0.0, 0.0), (w * 0.95 - pr, 0.0), *_arc(w * 0.95 - pr, pr, pr, pr, 90, -90), (0.0, 2 * pr)]],
    )
    g["R"] = (
        w * 0.95,
        [
            [(0.0, 1.0), (0.0, 0.0), (w * 0.95 - pr, 0.0), *_arc(w * 0.95 - pr, pr, pr, pr, 90, -90), (0.0, 2 * pr)],
            [(w * 0.45, 2 * pr), (w * 0.95, 1.0)],
        ],
    )
    g["S"] = (w, [_arc(r, 0.25, r, 0.25, 20, 270) + _arc(r, 0.75, r, 0.25, 90, -160)])
    g["T"] = (w, [[(0.0, 0.0), (w, 0.0)], [(r, 0.0), (r, 1.0)]])
    g["U"] = (w, [[(0.0, 0.0), *_arc(r, 1 - r, r, r, 180, 360), (w, 0.0)]])
    g["V"] = (w * 1.05, [[(0.0, 0.0), (w * 0.525, 1.0), (w * 1.05, 0.0)]])
    g["W"] = (w * 1.5, [[(0.0, 0.0), (w * 0.35, 1.0), (w * 0.75, 0.25), (w * 1.15, 1.0), (w * 1.5, 0.0)]])
    g["X"] = (w, [[(0.0, 0.0), (w, 1.0)], [(w, 0.0), (0.0, 1.0)]])
    g["Y"] = (w * 1.05, [[(0.0, 0.0), (w * 0.525, 0.52), (w * 1.05, 0.0)], [(w * 0.525, 0.52), (w * 0.525, 1.0)]])
    g["Z"] = (w, [[(0.0, 0.0), (w, 0.0), (0.0, 1.0), (w, 1.0)]])
    g["-"] = (w * 0.6, [[(0.0, 0.55), (w * 0.6, 0.55)]])
    g["."] = (0.0, [[(0.0, 0.97), (0.0, 1.0)]])
    g[" "] = (w * 0.6, [])
    return g


@dataclass(frozen=True)
class StrokeFont:
    """DIN-style lettering: ``weight`` is the pen's width and ``width`` the glyphs' width, both in units
    of the cap height (DIN 1451 Mittelschrift: about 0.13 and 0.5)."""

    weight: float = 0.13
    width: float = _W

    def __post_init__(self) -> None:
        if not 0.04 <= self.weight <= 0.3 or not 0.25 <= self.width <= 1.0:
            raise ValueError(f"stroke font weight {self.weight} or width {self.width} out of range")

    def supports(self, text: str) -> bool:
        """Whether every character of ``text`` has a glyph."""
        glyphs = _glyphs_for(round(self.width, 3))
        return all(ch in glyphs for ch in text)

    def mask(self, text: str, size: int = 96, spacing: float = 0.0) -> np.ndarray:
        """Alpha mask (float32 in [0, 1]) of ``text`` ``size`` pixels high, cropped to its ink;
        ``spacing`` adds space between characters as a fraction of ``size``. Characters without a
        glyph are refused (:meth:`supports`)."""
        glyphs = _glyphs_for(round(self.width, 3))
        missing = sorted({ch for ch in text if ch not in glyphs})
        if missing:
            raise ValueError(f"the stroke font has no glyph for {missing}")
        pen = self.weight * size
        inner = size - pen  # the centre line spans the cap height less the pen
        gap = pen + 0.12 * inner + spacing * size  # ink to ink: 0.12 of the centre line, whatever the pen
        scale = 4  # drawn 4x larger, then shrunk: anti-aliased edges
        advance_total = sum(glyphs[ch][0] for ch in text) * inner + gap * max(0, len(text) - 1)
        width = math.ceil(advance_total + 2 * pen + 2)
        height = math.ceil(size + 2 * pen)
        canvas = np.zeros((height * scale, width * scale), np.uint8)
        x = pen
        for k, ch in enumerate(text):
            advance, strokes = glyphs[ch]
            for stroke in strokes:
                pts = np.array([[(x + px * inner) * scale, (pen + py * inner) * scale] for px, py in stroke])
                pts = np.round(pts * 16).astype(np.int32)  # 4 fractional bits
                thickness = max(1, round(pen * scale))
                cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_AA, shift=4)
            x += advance * inner + (gap if k < len(text) - 1 else 0.0)
        small = cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        ys, xs = np.nonzero(small > 0.02)
        if len(xs) == 0:
            return np.zeros((1, 1), np.float32)
        return small[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


@lru_cache(maxsize=16)
def _glyphs_for(width: float) -> dict[str, tuple[float, list[Stroke]]]:
    return _glyphs(width)

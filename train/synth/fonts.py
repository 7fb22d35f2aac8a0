"""Fonts for the renderer: shipped by pip packages (the ``train`` extra) and matplotlib.

Nothing is downloaded: fonts come from installed packages, plus common Debian font paths
when present. Fonts are grouped by role so each plate style can draw from several. The plate
characters come from bold fonts, or with :func:`plate_font_weights` ``("all")`` also from regular and
medium weights, or with ``("din")`` also from the DIN-style stroke lettering of
:mod:`train.synth.strokefont` (an OCR config's ``synthetic_fonts``), or with ``("stroke")`` from that
lettering only (``anpr synth --fonts stroke``: plates to measure a reader on DIN-style lettering).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from edge.errors import AnprError
from train.synth.strokefont import StrokeFont

FontWeights = Literal["bold", "all", "din", "stroke"]
#: Every :data:`FontWeights` value (``anpr synth --fonts`` lists the same; a test keeps them equal).
FONT_WEIGHTS: tuple[str, ...] = get_args(FontWeights)
#: A font the plate renderer draws with: a font file, or procedural stroke lettering.
PlateFont = Path | StrokeFont

# (package, file) pairs; a missing package just shrinks the pool.
_PLATE_FONTS = [
    ("font_fjallaone", "FjallaOne-Regular.ttf"),
    ("font_roboto", "Roboto-Bold.ttf"),
    ("font_roboto", "Roboto-Medium.ttf"),
    ("font_roboto", "Roboto-Black.ttf"),
    ("font_source_sans_pro", "SourceSansPro-Semibold.ttf"),
    ("font_source_sans_pro", "SourceSansPro-Bold.ttf"),
    ("font_lato", "Lato-Bold.ttf"),
    ("font_hanken_grotesk", "HankenGrotesk-SemiBold.otf"),
    ("font_manrope", "Manrope-Bold.ttf"),
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf"),
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSansMono-Bold.ttf"),
]
# regular and medium weights: the thinner strokes of DIN-style EU plates, whose narrow I and 1 a
# reader trained on bold glyphs alone drops when the plate is small (B305CIL read as B305CL)
_REGULAR_PLATE_FONTS = [
    ("font_roboto", "Roboto-Regular.ttf"),
    ("font_source_sans_pro", "SourceSansPro-Regular.ttf"),
    ("font_lato", "Lato-Regular.ttf"),
    ("font_hanken_grotesk", "HankenGrotesk-Medium.otf"),
    ("font_manrope", "Manrope-Medium.ttf"),
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans.ttf"),
]
_HEADER_FONTS = [
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSerif-Bold.ttf"),
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSerif-Italic.ttf"),
    ("font_lato", "Lato-BoldItalic.ttf"),
    ("font_lato", "Lato-Black.ttf"),
    ("font_roboto", "Roboto-BlackItalic.ttf"),
    ("font_source_sans_pro", "SourceSansPro-BoldIt.ttf"),
    ("font_fjallaone", "FjallaOne-Regular.ttf"),
]
_ARABIC_FONTS = [("matplotlib", "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf")]
_DEBIAN_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
]
_DEBIAN_REGULAR_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"]
# DIN 1451-style lettering (Czech, Slovak, German, Romanian, old Brazilian plates), which no installed
# font resembles: two pen weights by three glyph widths, condensed to wide
_STROKE_FONTS = tuple(StrokeFont(weight, width) for weight in (0.11, 0.14) for width in (0.42, 0.5, 0.58))
_WEIGHTS: ContextVar[FontWeights] = ContextVar("plate_font_weights", default="bold")


def _package_file(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (base / relative, base / "files" / relative):
        if candidate.is_file():
            return candidate
    return None


def _collect(entries: list[tuple[str, str]]) -> tuple[Path, ...]:
    found = [p for p in (_package_file(pkg, rel) for pkg, rel in entries) if p is not None]
    return tuple(dict.fromkeys(found))


@contextmanager
def plate_font_weights(weights: FontWeights) -> Iterator[None]:
    """Within the block, :func:`plate_fonts` gives ``weights`` (``bold``, the default, ``all``, ``din`` or
    ``stroke``)."""
    if weights not in FONT_WEIGHTS:
        raise ValueError(f"font weights must be 'bold', 'all', 'din' or 'stroke', got {weights!r}")
    token = _WEIGHTS.set(weights)
    try:
        yield
    finally:
        _WEIGHTS.reset(token)


def plate_fonts() -> tuple[PlateFont, ...]:
    """Sans fonts for plate characters in the current :func:`plate_font_weights` (bold unless set)."""
    return _plate_fonts(_WEIGHTS.get())


@lru_cache(maxsize=4)
def _plate_fonts(weights: FontWeights) -> tuple[PlateFont, ...]:
    if weights == "stroke":
        return _STROKE_FONTS
    packaged, debian = list(_PLATE_FONTS), list(_DEBIAN_FONTS)
    if weights in ("all", "din"):
        packaged += _REGULAR_PLATE_FONTS
        debian += _DEBIAN_REGULAR_FONTS
    fonts = _collect(packaged) + tuple(Path(p) for p in debian if Path(p).is_file())
    if not fonts:
        raise AnprError("no fonts found for the plate renderer: install the 'train' extra (pip install -e '.[train]')")
    return fonts + _STROKE_FONTS if weights == "din" else fonts


@lru_cache(maxsize=1)
def fallback_font() -> Path:
    """The font file text is drawn in when stroke lettering has no glyph for it (DejaVu Sans Bold)."""
    found = _package_file("matplotlib", "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf")
    if found is None:
        raise AnprError("DejaVu Sans Bold not found: install the 'train' extra (pip install -e '.[train]')")
    return found


@lru_cache(maxsize=1)
def header_fonts() -> tuple[PlateFont, ...]:
    """Serif, italic and display fonts for state names, slogans and city headers."""
    return _collect(_HEADER_FONTS) or plate_fonts()


@lru_cache(maxsize=1)
def arabic_fonts() -> tuple[PlateFont, ...]:
    """Fonts with Arabic glyphs (Tunisian plates)."""
    return _collect(_ARABIC_FONTS) or plate_fonts()

"""Fonts for the renderer: shipped by pip packages (the ``train`` extra) and matplotlib.

Nothing is downloaded: fonts come from installed packages, plus common Debian font paths
when present. Fonts are grouped by role so each plate style can draw from several.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from edge.errors import AnprError

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


@lru_cache(maxsize=1)
def plate_fonts() -> tuple[Path, ...]:
    """Bold sans fonts for plate characters (at least one, else :class:`AnprError`)."""
    fonts = _collect(_PLATE_FONTS) + tuple(Path(p) for p in _DEBIAN_FONTS if Path(p).is_file())
    if not fonts:
        raise AnprError("no fonts found for the plate renderer: install the 'train' extra (pip install -e '.[train]')")
    return fonts


@lru_cache(maxsize=1)
def header_fonts() -> tuple[Path, ...]:
    """Serif, italic and display fonts for state names, slogans and city headers."""
    return _collect(_HEADER_FONTS) or plate_fonts()


@lru_cache(maxsize=1)
def arabic_fonts() -> tuple[Path, ...]:
    """Fonts with Arabic glyphs (Tunisian plates)."""
    return _collect(_ARABIC_FONTS) or plate_fonts()

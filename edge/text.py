"""Plate text conventions shared by training, evaluation and the device.

Plate texts are stored normalised: upper-case ``A-Z0-9`` with spaces, dashes and dots
removed (``"AB-123-CD"`` -> ``"AB123CD"``). Every label, prediction and metric uses this form.
"""

from __future__ import annotations

import re

#: Characters a plate text may contain after normalisation (the OCR alphabet, without padding).
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Longest plate text the project reads (US vanity and German electric/historic plates fit).
MAX_PLATE_LENGTH = 10

_SEPARATORS = re.compile(r"[\s\-\.·_:]+")
_VALID = re.compile(rf"^[{ALPHABET}]{{1,{MAX_PLATE_LENGTH}}}$")


def normalize_text(text: str) -> str:
    """Upper-case ``text`` and drop the separators people write on plates (space, dash, dot)."""
    return _SEPARATORS.sub("", text).upper()


def text_problem(text: str) -> str | None:
    """Say what is wrong with a normalised plate text, or return None when it is valid."""
    if not text:
        return "empty text"
    if len(text) > MAX_PLATE_LENGTH:
        return f"text {text!r} is longer than {MAX_PLATE_LENGTH} characters"
    if not _VALID.match(text):
        bad = sorted({c for c in text if c not in ALPHABET})
        return f"text {text!r} has characters outside A-Z0-9: {''.join(bad)!r}"
    return None


def is_valid_text(text: str) -> bool:
    """True when ``text`` is a normalised plate text the OCR can represent."""
    return text_problem(text) is None

"""Plate text patterns and random texts drawn from them.

Pattern letters: ``L`` a letter, ``D`` a digit, ``N`` a digit 1-9, ``A`` a letter or digit,
``V`` a vowel-free letter (Czech/Slovak style); anything else is printed literally
(space, dash). ``{TN}`` prints the Arabic word for Tunisia and labels it ``T``.
The label is always the normalised text (``edge.text.normalize_text``).
"""

from __future__ import annotations

import numpy as np

from edge.text import normalize_text

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
_CLASSES = {
    "L": LETTERS,
    "D": DIGITS,
    "N": DIGITS[1:],
    "A": LETTERS + DIGITS,
    "V": "BCDEFHJKLMNPRSTUVXYZ",
}
ARABIC_TUNIS = "تونس"


def render_pattern(pattern: str, rng: np.random.Generator, letters: str = LETTERS) -> tuple[str, str]:
    """Fill ``pattern`` with random characters: returns (text as printed, normalised label)."""
    printed, label = [], []
    i = 0
    while i < len(pattern):
        if pattern.startswith("{TN}", i):
            printed.append(ARABIC_TUNIS)
            label.append("T")
            i += 4
            continue
        token = pattern[i]
        pool = letters if token == "L" else _CLASSES.get(token)
        if pool is None:
            printed.append(token)
            if token.isalnum():  # fixed letters such as the German E/H suffix belong to the text
                label.append(token)
        else:
            ch = pool[rng.integers(len(pool))]
            printed.append(ch)
            label.append(ch)
        i += 1
    return "".join(printed), normalize_text("".join(label))


def vanity_text(rng: np.random.Generator, min_len: int = 2, max_len: int = 7) -> tuple[str, str]:
    """A US vanity plate: mostly letters, a few digits, 2-7 characters."""
    n = int(rng.integers(min_len, max_len + 1))
    chars = [LETTERS[rng.integers(26)] if rng.random() < 0.75 else DIGITS[rng.integers(10)] for _ in range(n)]
    text = "".join(chars)
    return text, text

"""CTC label coding and greedy decoding for the plate OCR, in numpy (runs on the device).

Class 0 is the CTC blank; class ``i`` (1-based) is ``alphabet[i - 1]``. The model card stores
the alphabet, so training, evaluation and the device share one mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.text import ALPHABET

BLANK = 0


@dataclass(frozen=True)
class DecodedText:
    """A decoded plate: text, one confidence per character and their minimum (0 when empty)."""

    text: str
    char_confidences: tuple[float, ...]

    @property
    def confidence(self) -> float:
        return min(self.char_confidences) if self.char_confidences else 0.0


def encode_text(text: str, max_length: int, alphabet: str = ALPHABET) -> tuple[np.ndarray, int]:
    """Labels for ``text`` padded with blanks to ``max_length``, and the text's length."""
    if len(text) > max_length:
        raise ValueError(f"text {text!r} is longer than {max_length}")
    labels = np.zeros(max_length, np.int32)
    for i, ch in enumerate(text):
        index = alphabet.find(ch)
        if index < 0:
            raise ValueError(f"character {ch!r} of {text!r} is not in the alphabet")
        labels[i] = index + 1
    return labels, len(text)


def ctc_greedy_decode(probs: np.ndarray, alphabet: str = ALPHABET) -> DecodedText:
    """Best path decoding of ``(T, len(alphabet) + 1)`` probabilities: argmax, merge repeats, drop blanks.

    A character's confidence is the highest probability among the steps that produced it.
    """
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 2 or probs.shape[1] != len(alphabet) + 1:
        raise ValueError(f"expected (T, {len(alphabet) + 1}) probabilities, got {probs.shape}")
    best = probs.argmax(axis=1)
    peak = probs.max(axis=1)
    chars: list[str] = []
    confidences: list[float] = []
    previous = BLANK
    for cls, p in zip(best.tolist(), peak.tolist()):
        if cls != BLANK:
            if cls != previous:
                chars.append(alphabet[cls - 1])
                confidences.append(p)
            else:
                confidences[-1] = max(confidences[-1], p)
        previous = cls
    return DecodedText("".join(chars), tuple(confidences))


def slots_decode(probs: np.ndarray, alphabet: str = ALPHABET) -> DecodedText:
    """Fixed-slot decoding of ``(slots, len(alphabet) + 1)`` probabilities: argmax per slot, class 0 = empty."""
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 2 or probs.shape[1] != len(alphabet) + 1:
        raise ValueError(f"expected (slots, {len(alphabet) + 1}) probabilities, got {probs.shape}")
    best = probs.argmax(axis=1)
    chars = [alphabet[c - 1] for c in best.tolist() if c != BLANK]
    confidences = [float(probs[i, c]) for i, c in enumerate(best.tolist()) if c != BLANK]
    return DecodedText("".join(chars), tuple(confidences))


def decode_text(probs: np.ndarray, alphabet: str = ALPHABET, decoder: str = "ctc") -> DecodedText:
    """Decode OCR output with the model card's decoder (``ctc`` or ``slots``)."""
    if decoder == "slots":
        return slots_decode(probs, alphabet)
    if decoder == "ctc":
        return ctc_greedy_decode(probs, alphabet)
    raise ValueError(f"unknown OCR decoder {decoder!r}")

"""CTC label coding and greedy decoding for the plate OCR, in numpy (runs on the device).

Class 0 is the CTC blank; class ``i`` (1-based) is ``alphabet[i - 1]``. The model card stores
the alphabet, so training, evaluation and the device share one mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.text import ALPHABET

BLANK = 0
#: The forward pass of :func:`ctc_log_likelihoods` rescales every this many steps.
_RESCALE_EVERY = 8


@dataclass(frozen=True)
class DecodedText:
    """A decoded plate: text, one confidence per character and their minimum (0 when empty), and, when
    the reader was asked for them, the texts it may also be (:mod:`edge.candidates`)."""

    text: str
    char_confidences: tuple[float, ...]
    candidates: tuple[tuple[str, float], ...] = ()
    """``(text, probability)`` pairs, likeliest first, ``text`` itself among them; empty when not asked for."""

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


def ctc_prefix_beam_search(
    probs: np.ndarray, alphabet: str = ALPHABET, beam_width: int = 8, prune: float = 1e-3
) -> list[tuple[str, float]]:
    """The ``beam_width`` likeliest texts of one ``(T, len(alphabet) + 1)`` CTC output (prefix beam
    search), each with the probability of the alignments the search kept (at most its full CTC
    probability, :func:`ctc_log_likelihoods`), likeliest first. A step's characters under ``prune`` are
    not tried (it only saves time: with a wide beam and no pruning the search is exact)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(alphabet) + 1:
        raise ValueError(f"expected (T, {len(alphabet) + 1}) probabilities, got {probs.shape}")
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1, got {beam_width}")
    # prefix -> [probability of its alignments so far ending in a blank, ending in its last character]
    beams: dict[tuple[int, ...], list[float]] = {(): [1.0, 0.0]}
    for row in probs:
        tried = [c for c in np.flatnonzero(row >= prune).tolist() if c != BLANK]
        if not tried:  # no character to try (most steps): no prefix is added, so none is cut
            blank = float(row[BLANK])
            beams = {
                prefix: [(ends_blank + ends_char) * blank, ends_char * float(row[prefix[-1]]) if prefix else 0.0]
                for prefix, (ends_blank, ends_char) in beams.items()
            }
            continue
        grown: dict[tuple[int, ...], list[float]] = {}
        for prefix, (ends_blank, ends_char) in beams.items():
            same = grown.setdefault(prefix, [0.0, 0.0])
            same[0] += (ends_blank + ends_char) * row[BLANK]
            if prefix:  # the last character repeated: collapses into the same prefix
                same[1] += ends_char * row[prefix[-1]]
            for c in tried:
                longer = grown.setdefault((*prefix, c), [0.0, 0.0])
                # a repeated character needs a blank between: only alignments ending in one extend
                longer[1] += (ends_blank if prefix and prefix[-1] == c else ends_blank + ends_char) * row[c]
        beams = dict(sorted(grown.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    return [("".join(alphabet[c - 1] for c in prefix), float(sum(p))) for prefix, p in ranked]


def ctc_log_likelihoods(probs: np.ndarray, texts: list[str], alphabet: str = ALPHABET) -> np.ndarray:
    """Natural log of the probability of each text under each CTC output, summed over every alignment
    (the CTC forward algorithm): ``probs`` is ``(K, T, len(alphabet) + 1)`` (K outputs, for example
    K crops of one plate; a single ``(T, C)`` output counts as K = 1), the result ``(K, len(texts))``.

    Unlike greedy decoding this scores a *given* text, so outputs whose characters sit at different time
    steps (crops of one plate cut a little differently) can be compared and summed for the same text.
    A text the output cannot produce (more steps needed than it has) scores ``-inf``."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 2:
        probs = probs[None]
    if probs.ndim != 3 or probs.shape[2] != len(alphabet) + 1:
        raise ValueError(f"expected (K, T, {len(alphabet) + 1}) probabilities, got {probs.shape}")
    if not texts:
        return np.zeros((probs.shape[0], 0))
    steps = probs.shape[1]
    states = 2 * max(len(t) for t in texts) + 1
    # Extended labels: blank, c1, blank, c2, ..., blank, then blank padding up to the longest text.
    # Probability flows on into a shorter text's padding, but its result is read at its own last two
    # states, and the per-step rescaling divides every state alike, so the padding changes nothing.
    extended = np.zeros((len(texts), states), np.int64)
    skip = np.zeros((len(texts), states), bool)  # may come from two states back (a new character)
    for n, text in enumerate(texts):
        labels, _ = encode_text(text, len(text), alphabet)
        extended[n, 1 : 2 * len(text) : 2] = labels
        for s in range(3, 2 * len(text), 2):
            skip[n, s] = extended[n, s] != extended[n, s - 2]
    p = np.clip(probs, 1e-12, 1.0)
    emit = np.take_along_axis(p[:, :, None, :], extended[None, None, :, :], axis=3)  # (K, T, N, S)
    alpha = np.zeros((probs.shape[0], len(texts), states))
    alpha[:, :, 0] = emit[:, 0, :, 0]
    if states > 1:  # every text empty: the lone blank state is all there is
        alpha[:, :, 1] = emit[:, 0, :, 1] * np.array([len(t) > 0 for t in texts])
    log_scale = np.zeros(alpha.shape[:2])
    skip_mask = skip[None, :, 2:]
    for t in range(1, steps):
        moved = alpha.copy()
        moved[:, :, 1:] += alpha[:, :, :-1]
        moved[:, :, 2:] += alpha[:, :, :-2] * skip_mask
        alpha = moved * emit[:, t]
        if t % _RESCALE_EVERY == 0 or t == steps - 1:  # keep the float64 range: 8 steps lose 1e-96 at most
            total = alpha.sum(axis=2)
            total[total <= 0] = 1.0
            alpha /= total[:, :, None]
            log_scale += np.log(total)
    ends = np.array([2 * len(t) for t in texts])
    last = np.take_along_axis(alpha, ends[None, :, None], axis=2)[:, :, 0]
    before = np.take_along_axis(alpha, np.maximum(ends - 1, 0)[None, :, None], axis=2)[:, :, 0]
    final = last + np.where(ends > 0, before, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(final > 0, log_scale + np.log(np.maximum(final, 1e-300)), -np.inf)

"""Plate formats a site expects, and the CTC decode constrained to them (numpy, on the device).

A reader that sees ``0`` where a Brazilian plate must have the letter ``O`` can be told so: given the
formats a site sees (``br_old`` = three letters and four digits, ...), :func:`constrained_decode`
finds the most probable CTC path whose text fits one of them (a Viterbi search over the model's
per-step probabilities, not a character substitution table), and :func:`decode_with_formats`
takes it instead of the free read unless it is much less probable than the free read
(``max_penalty``, natural log of the probability ratio). A plate from elsewhere that fits no
format keeps its free read when the penalty would exceed that bound.

Pattern letters: ``L`` a letter, ``D`` a digit, ``A`` either; any other character of the alphabet
stands for itself (Tunisian plates: ``T`` for the Arabic word between the numbers).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np

from edge.ctc import BLANK, DecodedText, ctc_greedy_decode

#: How much less probable (natural log) the format-fitting path may be than the free one: 100x.
DEFAULT_MAX_PENALTY = math.log(100.0)
#: Steps at least this sure of the blank are squeezed before the search (see squeeze_blank_runs).
BLANK_SURE = 0.98
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_CLASSES = {"L": _LETTERS, "D": _DIGITS, "A": _LETTERS + _DIGITS}


def _runs(*parts: tuple[str, tuple[int, ...]]) -> list[str]:
    """Every concatenation of ``token * n`` for the listed counts of each part."""
    return ["".join(t * n for (t, _), n in zip(parts, counts)) for counts in itertools.product(*(c for _, c in parts))]


#: Named formats: each a list of patterns (all of one country's common plates).
PLATE_FORMATS: dict[str, list[str]] = {
    "br_old": ["LLLDDDD"],  # grey plates until 2018: ABC1234
    "br_mercosul": ["LLLDLDD"],  # ABC1D23
    "fr_siv": ["LLDDDLL"],  # AB123CD (since 2009)
    "fr_fni": _runs(("D", (1, 2, 3, 4)), ("L", (1, 2, 3)), ("D", (2,))),  # 1234 AB 56 (before 2009)
    "tn": _runs(("D", (1, 2, 3)), ("T", (1,)), ("D", (1, 2, 3, 4))),  # 123 TN 4567
    "sk": ["LLDDDLL"],  # BA123AB (since 2023 and older regional plates)
    "cz": ["DLADDDD"],  # 1A2 3456 / 1AB 2345
    # district (1-3 letters) + recognition letters (1-2), number (1-4 digits), at most 8; no E/H suffix
    "de": [p for p in _runs(("L", (2, 3, 4, 5)), ("D", (1, 2, 3, 4))) if len(p) <= 8],
    "ro": ["LLDDLLL", "LLDDDLLL", "BDDLLL", "BDDDLLL"],  # CJ12ABC, B12ABC, B123ABC: one letter is only B
    "it": ["LLDDDLL"],  # AB123CD
    "nl": ["LLDDDL", "DLLLDD", "DDLLLD", "LDDDLL", "DLLDDD", "DDDLLD"],  # sidecodes 7-11
    "pl": ["LLDDDDD", "LLDDDLL", "LLLDDDD", "LLLDDLL", "LLDDLLL"],
}


@dataclass(frozen=True)
class FormatSet:
    """Compiled patterns: ``allowed[p, k, c]`` is True when slot ``k`` of pattern ``p`` may hold
    alphabet character ``c``; ``lengths[p]`` is the pattern's length."""

    patterns: tuple[str, ...]
    allowed: np.ndarray
    lengths: np.ndarray
    regex: re.Pattern

    def fits(self, text: str) -> bool:
        """Whether ``text`` fits one of the patterns."""
        return self.regex.fullmatch(text) is not None


def compile_formats(names: list[str] | tuple[str, ...], alphabet: str) -> FormatSet:
    """The patterns of the named formats (and of raw patterns such as ``LLDDDD``) over ``alphabet``."""
    patterns: list[str] = []
    for name in names:
        if name in PLATE_FORMATS:
            patterns += PLATE_FORMATS[name]
        elif name and set(name) <= set(_CLASSES) | set(alphabet):
            patterns.append(name)
        else:
            raise ValueError(
                f"unknown plate format {name!r}: use one of {', '.join(sorted(PLATE_FORMATS))} "
                "or a pattern of L (letter), D (digit), A (either) and literal characters"
            )
    patterns = list(dict.fromkeys(patterns))
    width = max((len(p) for p in patterns), default=0)
    allowed = np.zeros((len(patterns), width, len(alphabet)), bool)
    for p, pattern in enumerate(patterns):
        for k, token in enumerate(pattern):
            allowed[p, k] = [ch in _CLASSES.get(token, token) for ch in alphabet]
    lengths = np.array([len(p) for p in patterns], np.int64)
    token = {t: f"[{chars}]" for t, chars in _CLASSES.items()}
    regex = re.compile("|".join("".join(token.get(t, re.escape(t)) for t in p) for p in patterns) or "(?!)")
    return FormatSet(tuple(patterns), allowed, lengths, regex)


def _log(probs: np.ndarray) -> np.ndarray:
    # int8 models give probabilities in steps of 1/256: a floor keeps zero from being impossible
    return np.log(np.maximum(np.asarray(probs, np.float64), 1.0 / 512))


def free_path_log_prob(probs: np.ndarray) -> float:
    """Log probability of the best unconstrained path (the greedy decode's path)."""
    return float(_log(probs).max(axis=1).sum())


def constrained_decode(probs: np.ndarray, alphabet: str, formats: FormatSet) -> tuple[DecodedText, float] | None:
    """The most probable CTC path whose text fits a pattern of ``formats``, with its log probability;
    None when no pattern fits in ``T`` steps.

    Viterbi over every pattern at once: state ``(p, k, c)`` emits character ``c`` for slot ``k``;
    ``blank[p, b]`` is a blank after slot ``b - 1``. A slot is entered from the blank before it or,
    with a different character, straight from the previous slot (CTC merges repeats).
    """
    logp = _log(probs)
    steps, classes = logp.shape
    if classes != len(alphabet) + 1:
        raise ValueError(f"expected (T, {len(alphabet) + 1}) probabilities, got {logp.shape}")
    n_pat, width, n_chr = formats.allowed.shape
    if n_pat == 0:
        return None
    chars = logp[:, 1:]  # (T, n_chr)
    neg = -np.inf
    mask = np.where(formats.allowed, 0.0, neg)  # (P, K, C)
    slot = np.full((n_pat, width, n_chr), neg)
    blank = np.full((n_pat, width + 1), neg)
    # back-pointers: slot -> 0 stay, 1 from the blank before, 2 from the previous slot (its char kept)
    slot_from = np.zeros((steps, n_pat, width, n_chr), np.int8)
    slot_prev_char = np.zeros((steps, n_pat, width, n_chr), np.int16)
    blank_from_slot = np.zeros((steps, n_pat, width + 1), bool)
    blank_prev_char = np.zeros((steps, n_pat, width + 1), np.int16)
    char_index = np.arange(n_chr)
    for t in range(steps):
        if t == 0:
            new_slot = np.full_like(slot, neg)
            new_slot[:, 0, :] = chars[0] + mask[:, 0, :]
            new_blank = np.full_like(blank, neg)
            new_blank[:, 0] = logp[0, BLANK]
        else:
            # best and second-best character of each slot at t-1 (entering slot k from slot k-1 needs c' != c)
            first_c = slot.argmax(axis=2)
            first = np.take_along_axis(slot, first_c[..., None], 2)[..., 0]
            runner_up = np.where(char_index == first_c[..., None], neg, slot)
            second_c = runner_up.argmax(axis=2)
            second = np.take_along_axis(runner_up, second_c[..., None], 2)[..., 0]
            from_prev = np.full_like(slot, neg)
            prev_char = np.zeros(slot.shape, np.int16)
            same = first_c[:, :-1, None] == char_index  # (P, K-1, C)
            from_prev[:, 1:] = np.where(same, second[:, :-1, None], first[:, :-1, None])
            prev_char[:, 1:] = np.where(same, second_c[:, :-1, None], first_c[:, :-1, None])
            from_blank = blank[:, :width, None] + np.zeros((1, 1, n_chr))
            candidates = np.stack([slot, from_blank, from_prev])  # (3, P, K, C)
            choice = candidates.argmax(axis=0)
            new_slot = np.take_along_axis(candidates, choice[None], 0)[0] + chars[t] + mask
            slot_from[t], slot_prev_char[t] = choice, prev_char
            into_blank = np.full_like(blank, neg)
            into_blank[:, 1:] = first
            blank_prev_char[t, :, 1:] = first_c
            take_slot = into_blank > blank
            blank_from_slot[t] = take_slot
            new_blank = np.where(take_slot, into_blank, blank) + logp[t, BLANK]
        slot, blank = new_slot, new_blank
    # end: the blank after the last slot, or the last slot itself
    rows = np.arange(n_pat)
    last = formats.lengths - 1
    end_blank = blank[rows, formats.lengths]
    end_slot = slot[rows, last].max(axis=1)
    end = np.maximum(end_blank, end_slot)
    p = int(np.argmax(end))
    score = float(end[p])
    if not math.isfinite(score):
        return None
    # backtrack pattern p
    length = int(formats.lengths[p])
    if end_slot[p] >= end_blank[p]:
        state = ("slot", length - 1, int(np.argmax(slot[p, length - 1])))
    else:
        state = ("blank", length, 0)
    text = [""] * length
    conf = [0.0] * length
    probs = np.asarray(probs, np.float64)
    for t in range(steps - 1, -1, -1):
        kind, k, c = state
        if kind == "slot":
            text[k] = alphabet[c]
            conf[k] = max(conf[k], float(probs[t, c + 1]))
            if t == 0:
                break
            came = slot_from[t, p, k, c]
            state = (
                ("slot", k, c)
                if came == 0
                else ("blank", k, 0)
                if came == 1
                else ("slot", k - 1, int(slot_prev_char[t, p, k, c]))
            )
        else:
            if t == 0:
                break
            state = ("slot", k - 1, int(blank_prev_char[t, p, k])) if blank_from_slot[t, p, k] else ("blank", k, 0)
    return DecodedText("".join(text), tuple(conf)), score


def decode_with_formats(probs: np.ndarray, alphabet: str, formats: FormatSet | None, max_penalty: float) -> DecodedText:
    """The free CTC read, replaced by the best format-fitting read when that one's path is at most
    ``max_penalty`` (natural log) less probable."""
    free = ctc_greedy_decode(probs, alphabet)
    if formats is None or not len(formats.patterns) or formats.fits(free.text):
        return free  # the best path of all already fits: it is also the best fitting one
    compact = squeeze_blank_runs(probs)
    found = constrained_decode(compact, alphabet, formats)
    if found is None:
        return free
    constrained, score = found
    if free_path_log_prob(compact) - score <= max_penalty:
        return constrained
    return free


def squeeze_blank_runs(probs: np.ndarray, sure: float = BLANK_SURE) -> np.ndarray:
    """``probs`` with every run of steps whose blank probability is at least ``sure`` cut to one step.

    Such steps are blank on any plausible path; keeping one of each run keeps repeated characters
    apart, and the search gets several times fewer steps (plates are mostly blank columns)."""
    probs = np.asarray(probs)
    sure_blank = probs[:, BLANK] >= sure
    keep = ~sure_blank
    keep[1:] |= sure_blank[1:] & ~sure_blank[:-1]
    keep[0] = True
    return probs[keep]

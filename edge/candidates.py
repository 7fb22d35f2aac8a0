"""The texts a plate may also be: a CTC reader's likeliest readings of one output, each with its
probability, published next to the read so that a consumer (an allow-list, a search) can still match a
plate whose read confused O and 0 or dropped a character."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge.ctc import ctc_log_likelihoods, ctc_prefix_beam_search
from edge.formats import FormatSet

BEAM_WIDTH = 8
"""Texts the prefix beam search keeps per step; more than any candidate list asks for, so the
search's pruning rarely decides which texts are listed."""
RESCORED_EXTRA = 2
"""Texts beyond the ``count`` asked for that are scored exactly, in case the search ranked them low."""


def plate_candidates(
    probs: np.ndarray,
    read: str,
    alphabet: str,
    count: int,
    formats: FormatSet | None = None,
    min_probability: float = 0.0,
    also: Sequence[str] = (),
) -> tuple[tuple[str, float], ...]:
    """Up to ``count`` texts of one plate, likeliest first, each with its CTC probability (every
    alignment summed), and ``read`` (the text the reader settled on) always among them, appended when it
    ranks lower. ``probs`` is one ``(T, C)`` CTC output or the ``(K, T, C)`` outputs of the K crops the
    reader ran, base crop first: the texts are the base crop's likeliest (a prefix beam search) and
    ``also`` (the crops' own reads), each scored by its mean probability over the K outputs, so a text
    the crops agree on ranks as it did when the reader chose among them. With ``formats``, texts that
    fit none are left out when some fit; texts under ``min_probability`` are left out too (``read``
    stays either way). An empty ``read`` has no candidates."""
    if not read or count < 1:
        return ()
    outputs = np.asarray(probs)
    outputs = outputs[None] if outputs.ndim == 2 else outputs
    searched = [t for t, _ in ctc_prefix_beam_search(outputs[0], alphabet, BEAM_WIDTH) if t]
    # only the search's likeliest few are scored exactly: what it leaves out of them it underrates by at
    # most about 0.01 (measured on held-out plates), and the exact score costs a pass per call
    texts = list(dict.fromkeys([read, *searched[: count + RESCORED_EXTRA], *(t for t in also if t)]))
    if formats is not None:
        fitting = [t for t in texts if formats.fits(t)]
        if fitting:
            texts = list(dict.fromkeys([*fitting, read]))
    probabilities = np.exp(ctc_log_likelihoods(outputs, texts, alphabet)).mean(axis=0)
    order = np.argsort(-probabilities, kind="stable")
    ranked = [(texts[i], float(probabilities[i])) for i in order]
    top = [(text, p) for text, p in ranked if p >= min_probability or text == read][:count]
    if all(text != read for text, _ in top):
        top.append(next(pair for pair in ranked if pair[0] == read))
    return tuple(top)

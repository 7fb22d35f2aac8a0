import itertools

import numpy as np
import pytest

from edge.ctc import ctc_greedy_decode, ctc_log_likelihoods, ctc_prefix_beam_search, encode_text
from edge.text import ALPHABET


def _probs(classes: list[int], peak: float = 0.9) -> np.ndarray:
    probs = np.full((len(classes), len(ALPHABET) + 1), (1 - peak) / len(ALPHABET), np.float32)
    for t, c in enumerate(classes):
        probs[t, c] = peak
    return probs


def idx(ch: str) -> int:
    return ALPHABET.index(ch) + 1


def test_greedy_merges_repeats_and_drops_blanks():
    steps = [0, idx("A"), idx("A"), 0, idx("A"), idx("1"), 0, 0, idx("1")]
    decoded = ctc_greedy_decode(_probs(steps))
    assert decoded.text == "AA11"
    assert decoded.confidence == pytest.approx(0.9)


def test_confidence_is_the_weakest_character():
    probs = _probs([idx("B"), 0, idx("8")])
    probs[2] = 0.0
    probs[2, idx("8")], probs[2, idx("B")] = 0.55, 0.45
    decoded = ctc_greedy_decode(probs)
    assert decoded.text == "B8" and decoded.char_confidences == pytest.approx((0.9, 0.55))
    assert decoded.confidence == pytest.approx(0.55)


def test_all_blank_is_empty_with_zero_confidence():
    decoded = ctc_greedy_decode(_probs([0, 0, 0]))
    assert decoded.text == "" and decoded.confidence == 0.0


def test_encode_round_trip_and_errors():
    labels, length = encode_text("AB12", 6)
    assert labels.tolist() == [idx("A"), idx("B"), idx("1"), idx("2"), 0, 0] and length == 4
    with pytest.raises(ValueError):
        encode_text("TOOLONGTEXT", 6)
    with pytest.raises(ValueError):
        encode_text("a", 6)
    with pytest.raises(ValueError):
        ctc_greedy_decode(np.zeros((5, 3)))


def test_slots_decode_skips_empty_slots():
    from edge.ctc import decode_text, slots_decode

    probs = _probs([idx("A"), idx("B"), 0, idx("7"), 0])
    assert slots_decode(probs).text == "AB7"
    assert decode_text(probs, decoder="slots").confidence == pytest.approx(0.9)
    with pytest.raises(ValueError):
        decode_text(probs, decoder="beam")


def _brute_force_log_likelihood(probs: np.ndarray, text: str, alphabet: str) -> float:
    """log of the summed probability of every path that collapses to ``text`` (all paths enumerated)."""
    total = 0.0
    for path in itertools.product(range(len(alphabet) + 1), repeat=len(probs)):
        chars, previous = [], 0
        for c in path:
            if c and c != previous:
                chars.append(alphabet[c - 1])
            previous = c
        if "".join(chars) == text:
            total += float(np.prod([probs[t, c] for t, c in enumerate(path)]))
    return float(np.log(total)) if total > 0 else -np.inf


def test_ctc_log_likelihoods_equal_the_sum_over_every_path():
    probs = np.random.default_rng(3).dirichlet(np.ones(3), size=(2, 6))
    texts = ["", "A", "AB", "AA", "ABA", "BAB", "AAA", "AAAA"]  # AAAA needs 7 steps: impossible in 6
    got = ctc_log_likelihoods(probs, texts, "AB")
    assert got.shape == (2, len(texts))
    for k in range(2):
        for n, text in enumerate(texts):
            assert got[k, n] == pytest.approx(_brute_force_log_likelihood(probs[k], text, "AB"), abs=1e-9)
    assert np.isneginf(got[:, -1]).all()
    only_empty = ctc_log_likelihoods(probs, [""], "AB")  # no character at all: the all-blank path alone
    assert only_empty == pytest.approx(got[:, :1], abs=1e-12)


def test_ctc_log_likelihoods_stay_finite_over_long_outputs_and_check_shapes():
    probs = np.full((40, len(ALPHABET) + 1), 1e-3)
    probs[:, 0] = 1.0
    probs /= probs.sum(axis=1, keepdims=True)
    scores = ctc_log_likelihoods(probs, ["", "AB12345CD"])  # a (T, C) output counts as one
    assert scores.shape == (1, 2) and np.isfinite(scores).all() and scores[0, 0] > scores[0, 1]
    assert ctc_log_likelihoods(probs, []).shape == (1, 0)
    with pytest.raises(ValueError):
        ctc_log_likelihoods(probs[:, :5], ["A"])


def test_prefix_beam_search_without_pruning_is_exact():
    probs = np.random.default_rng(5).dirichlet(np.ones(3), size=5)  # alphabet "AB": 3 classes, 5 steps
    every_text = {"".join(t) for n in range(6) for t in itertools.product("AB", repeat=n)}
    beams = ctc_prefix_beam_search(probs, "AB", beam_width=1000, prune=0.0)
    texts = [t for t, _ in beams]
    assert set(texts) <= every_text and len(texts) == len(set(texts))
    for text, probability in beams:  # every prefix kept: each text's probability is its full CTC one
        assert probability == pytest.approx(np.exp(_brute_force_log_likelihood(probs, text, "AB")), abs=1e-12)
    brute = {t: _brute_force_log_likelihood(probs, t, "AB") for t in every_text}
    assert texts[0] == max(brute, key=brute.get)
    assert [p for _, p in beams] == sorted((p for _, p in beams), reverse=True)


def test_prefix_beam_search_lists_the_runner_up_and_a_repeated_character():
    probs = _probs([idx("O"), 0, idx("O"), 0, idx("7")], peak=0.9)
    probs[2, idx("0")], probs[2, idx("O")] = 0.35, 0.55  # the second O might be a zero
    probs /= probs.sum(axis=1, keepdims=True)
    beams = dict(ctc_prefix_beam_search(probs, beam_width=4))
    assert list(beams)[:2] == ["OO7", "O07"]
    assert beams["OO7"] > beams["O07"] > 0.2
    narrow = ctc_prefix_beam_search(probs, beam_width=1)
    assert [t for t, _ in narrow] == ["OO7"]
    with pytest.raises(ValueError):
        ctc_prefix_beam_search(probs, beam_width=0)
    with pytest.raises(ValueError):
        ctc_prefix_beam_search(probs[:, :5])

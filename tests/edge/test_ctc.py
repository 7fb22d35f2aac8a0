import numpy as np
import pytest

from edge.ctc import ctc_greedy_decode, encode_text
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

"""The format-constrained CTC decode on hand-made probabilities."""

import math

import numpy as np
import pytest

from edge.ctc import ctc_greedy_decode
from edge.formats import (
    PLATE_FORMATS,
    compile_formats,
    constrained_decode,
    decode_with_formats,
    free_path_log_prob,
)
from edge.text import ALPHABET


def steps(*frames: dict[str, float]) -> np.ndarray:
    """One row per frame: the named characters ('-' = blank) get their probability, the rest share what is left."""
    probs = np.zeros((len(frames), len(ALPHABET) + 1), np.float32)
    for t, frame in enumerate(frames):
        rest = (1.0 - sum(frame.values())) / (probs.shape[1] - len(frame))
        probs[t] = rest
        for ch, p in frame.items():
            probs[t, 0 if ch == "-" else ALPHABET.index(ch) + 1] = p
    return probs


def plate(*chars: str | dict[str, float]) -> np.ndarray:
    """Each character (or {char: p} mix) on one frame, with a blank frame after it."""
    frames = []
    for ch in chars:
        frames.append(ch if isinstance(ch, dict) else {ch: 0.9})
        frames.append({"-": 0.9})
    return steps(*frames)


BR = compile_formats(["br_old"], ALPHABET)


def test_letter_and_digit_decided_by_position():
    # the free read says 0 where the plate must have a letter, and B where it must have a digit
    probs = plate("A", {"0": 0.55, "O": 0.4}, "C", "1", {"B": 0.5, "8": 0.45}, "3", "4")
    assert ctc_greedy_decode(probs).text == "A0C1B34"
    decoded, score = constrained_decode(probs, ALPHABET, BR)
    assert decoded.text == "AOC1834"
    assert score <= free_path_log_prob(probs)
    assert decoded.char_confidences[1] == pytest.approx(0.4, abs=1e-6)
    # the penalty is log(0.55/0.4) + log(0.5/0.45): well inside the default bound
    assert decode_with_formats(probs, ALPHABET, BR, math.log(100)).text == "AOC1834"
    # with a zero bound the free read stays
    assert decode_with_formats(probs, ALPHABET, BR, 0.0).text == "A0C1B34"


def test_repeated_characters_need_a_blank_between_them():
    probs = plate("A", "A", "B", "1", "1", "2", "2")
    decoded, _ = constrained_decode(probs, ALPHABET, BR)
    assert decoded.text == "AAB1122"
    # two frames of the same letter without a blank are one character: the format then needs another
    merged = steps({"A": 0.9}, {"A": 0.9}, {"B": 0.9}, {"C": 0.9}, {"1": 0.9}, {"2": 0.9}, {"3": 0.9}, {"4": 0.9})
    assert ctc_greedy_decode(merged).text == "ABC1234"
    assert constrained_decode(merged, ALPHABET, BR)[0].text == "ABC1234"


def test_missing_or_extra_character_and_the_penalty_bound():
    # six characters read: the seven-character format must invent one and pays for it
    probs = plate("A", "B", "C", "1", "2", "3")
    found = constrained_decode(probs, ALPHABET, BR)
    assert found is not None and len(found[0].text) == 7
    assert free_path_log_prob(probs) - found[1] > math.log(100)
    assert decode_with_formats(probs, ALPHABET, BR, math.log(100)).text == "ABC123"  # kept: from elsewhere
    # too few steps for any pattern: no constrained read at all
    assert constrained_decode(steps({"A": 0.9}, {"B": 0.9}), ALPHABET, BR) is None


def test_best_pattern_among_several_and_text_lengths():
    formats = compile_formats(["br_old", "br_mercosul"], ALPHABET)
    probs = plate("R", "I", "O", "2", {"A": 0.5, "4": 0.45}, "1", "9")
    assert constrained_decode(probs, ALPHABET, formats)[0].text == "RIO2A19"
    de = compile_formats(["de"], ALPHABET)
    assert all(3 <= len(p) <= 8 for p in de.patterns) and "LLLLLDDD" in de.patterns
    found = constrained_decode(plate("M", "X", "Y", "1", "2", "3", "4"), ALPHABET, de)
    assert found[0].text == "MXY1234"


def test_unknown_format_is_one_clear_error_and_raw_patterns_work():
    with pytest.raises(ValueError, match="unknown plate format 'xx'"):
        compile_formats(["xx"], ALPHABET)
    assert compile_formats(["LDDA"], ALPHABET).patterns == ("LDDA",)
    assert set(PLATE_FORMATS) >= {"br_old", "br_mercosul", "fr_siv", "cz", "sk", "de"}


def test_uint8_probabilities_with_zeros_still_decode():
    probs = plate("A", "B", "C", "1", "2", "3", "4")
    quantised = np.round(probs * 256).clip(0, 255) / 256  # what an int8 model hands back
    quantised[quantised < 0.01] = 0.0
    assert constrained_decode(quantised, ALPHABET, BR)[0].text == "ABC1234"


class FakeRunner:
    def __init__(self, probs: np.ndarray) -> None:
        self.probs = probs

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        return {"probs": self.probs}


def test_recognizer_reads_towards_the_configured_formats():
    from edge.recognizer import PlateRecognizer

    card = {
        "input": {"height": 48, "width": 160, "colour": "grey"},
        "alphabet": ALPHABET,
        "output": {"name": "probs"},
        "decoder": "ctc",
    }
    probs = plate("A", {"0": 0.55, "O": 0.4}, "C", "1", "2", "3", "4")
    image = np.zeros((40, 120, 3), np.uint8)
    assert PlateRecognizer.from_card(FakeRunner(probs), card).read(image).text == "A0C1234"
    fitted = PlateRecognizer.from_card(FakeRunner(probs), card, ["br_old", "br_mercosul"])
    assert fitted.read(image).text == "AOC1234"
    with pytest.raises(ValueError, match="CTC reader"):
        PlateRecognizer.from_card(FakeRunner(probs), {**card, "decoder": "slots"}, ["br_old"])


def test_literal_characters_in_patterns():
    tn = compile_formats(["tn"], ALPHABET)
    assert "DDDTDDDD" in tn.patterns and tn.fits("123T4567") and not tn.fits("123A4567")
    probs = plate("1", "2", "3", {"1": 0.5, "T": 0.45}, "4", "5", "6", "7")
    assert ctc_greedy_decode(probs).text == "12314567"
    assert constrained_decode(probs, ALPHABET, tn)[0].text == "123T4567"


def test_squeezing_sure_blank_runs_keeps_repeats_apart():
    from edge.formats import squeeze_blank_runs

    probs = steps({"-": 0.99}, {"-": 0.99}, {"1": 0.9}, {"-": 0.99}, {"-": 0.99}, {"-": 0.99}, {"1": 0.9}, {"-": 0.5})
    squeezed = squeeze_blank_runs(probs)
    assert len(squeezed) == 5  # blank, 1, blank, 1, unsure blank
    assert ctc_greedy_decode(squeezed).text == ctc_greedy_decode(probs).text == "11"


def test_romanian_one_letter_plates_are_bucharest_only():
    ro = compile_formats(["ro"], ALPHABET)
    assert ro.fits("B12ABC") and ro.fits("B123ABC") and ro.fits("IF99STK") and ro.fits("CJ12ABC")
    assert not ro.fits("F99STK")  # a county code lost its first letter: no plate has F alone
    # the narrow I after the blue band read mostly as blank: the format brings it back
    probs = steps(
        {"-": 0.7, "I": 0.25},
        {"F": 0.9},
        {"-": 0.9},
        {"9": 0.9},
        {"-": 0.9},
        {"9": 0.9},
        {"-": 0.9},
        {"S": 0.9},
        {"-": 0.9},
        {"T": 0.9},
        {"-": 0.9},
        {"K": 0.9},
        {"-": 0.9},
    )
    assert ctc_greedy_decode(probs).text == "F99STK"
    assert decode_with_formats(probs, ALPHABET, ro, math.log(100)).text == "IF99STK"

"""The texts a read may also be: ranked by CTC probability, the read always listed, formats and a floor."""

import numpy as np
import pytest

from edge.candidates import plate_candidates
from edge.ctc import ctc_log_likelihoods
from edge.formats import compile_formats
from edge.metadata import SEVERAL_CROPS, SINGLE_CROP
from edge.recognizer import PlateRecognizer
from edge.text import ALPHABET
from tests.edge.test_recognizer import BOX, FRAME, SPEC, ScriptedRunner, ctc_probs

ONE_LOOK = SEVERAL_CROPS.model_copy(update={"level": None})  # the crops, without straightening


def o_or_zero(o_share: float) -> np.ndarray:
    """A read of OEC617 whose first character is O with probability ``o_share`` and 0 otherwise."""
    probs = ctc_probs("OEC617", 0.98)
    probs[1] = 0.0
    probs[1, ALPHABET.index("O") + 1], probs[1, ALPHABET.index("0") + 1] = o_share, 1.0 - o_share
    return probs


def test_candidates_rank_by_ctc_probability_and_always_list_the_read():
    probs = o_or_zero(0.6)
    listed = plate_candidates(probs, "OEC617", ALPHABET, 3)
    assert [t for t, _ in listed][:2] == ["OEC617", "0EC617"]
    exact = np.exp(ctc_log_likelihoods(probs, ["OEC617", "0EC617"])[0])
    assert [p for _, p in listed][:2] == pytest.approx(exact.tolist())
    assert [p for _, p in listed] == sorted((p for _, p in listed), reverse=True)
    # a read chosen from other crops is listed even when this output ranks it last
    chosen_elsewhere = plate_candidates(probs, "OEC6177", ALPHABET, 2)
    assert [t for t, _ in chosen_elsewhere] == ["OEC617", "0EC617", "OEC6177"]
    assert chosen_elsewhere[-1][1] < 1e-6


def test_candidates_floor_formats_and_empty_reads():
    probs = o_or_zero(0.9)
    assert [t for t, _ in plate_candidates(probs, "OEC617", ALPHABET, 3, min_probability=0.2)] == ["OEC617"]
    floored = plate_candidates(probs, "0EC617", ALPHABET, 3, min_probability=0.2)  # the read stays listed
    assert [t for t, _ in floored] == ["OEC617", "0EC617"]
    letters_first = compile_formats(["LLLDDD"], ALPHABET)  # 0EC617 fits no format: only the read keeps it
    assert [t for t, _ in plate_candidates(o_or_zero(0.2), "OEC617", ALPHABET, 3, letters_first)] == ["OEC617"]
    assert plate_candidates(probs, "", ALPHABET, 3) == ()
    assert plate_candidates(probs, "OEC617", ALPHABET, 0) == ()


def test_the_recognizer_lists_candidates_only_when_asked():
    script = [("OEC617", 0.6)]
    plain = PlateRecognizer(ScriptedRunner(script), SPEC, ALPHABET, "probs", crops=SINGLE_CROP)
    assert plain.read(FRAME, BOX).candidates == ()
    asked = PlateRecognizer(ScriptedRunner(script), SPEC, ALPHABET, "probs", crops=SINGLE_CROP, candidates=2)
    decoded = asked.read(FRAME, BOX)
    assert decoded.text == "OEC617" and decoded.candidates[0][0] == "OEC617" and len(decoded.candidates) == 2
    with pytest.raises(ValueError, match="CTC"):
        PlateRecognizer(ScriptedRunner(script), SPEC, ALPHABET, "probs", decoder="slots", candidates=3)
    with pytest.raises(ValueError, match="candidates"):
        PlateRecognizer(ScriptedRunner(script), SPEC, ALPHABET, "probs", candidates=-1)


def test_candidates_of_several_crops_are_scored_by_their_mean_probability():
    outputs = np.stack([o_or_zero(0.3), o_or_zero(0.9), o_or_zero(0.8)])
    listed = dict(plate_candidates(outputs, "OEC617", ALPHABET, 2))
    exact = np.exp(ctc_log_likelihoods(outputs, ["OEC617", "0EC617"])).mean(axis=0)
    assert list(listed) == ["OEC617", "0EC617"]  # the base crop alone would rank 0EC617 first
    assert list(listed.values()) == pytest.approx(exact.tolist())
    # a crop's own read is scored too, even when the base crop's search does not reach it
    two = np.stack([ctc_probs("OEC617", 0.98), ctc_probs("QQQ111", 0.98)])
    assert "QQQ111" not in dict(plate_candidates(two, "OEC617", ALPHABET, 2))
    also = plate_candidates(two, "OEC617", ALPHABET, 2, also=["QQQ111"])
    assert [t for t, _ in also] == ["OEC617", "QQQ111"] and also[1][1] == pytest.approx(also[0][1], rel=1e-3)


def test_the_recognizer_scores_candidates_under_every_crop_it_read():
    script = [("0EC617", 0.6), ("OEC617", 0.9), ("OEC617", 0.85)]
    recognizer = PlateRecognizer(ScriptedRunner(script), SPEC, ALPHABET, "probs", crops=ONE_LOOK, candidates=2)
    decoded = recognizer.read(FRAME, BOX)
    outputs = np.stack([ctc_probs(text, confidence) for text, confidence in script])
    exact = np.exp(ctc_log_likelihoods(outputs, ["OEC617", "0EC617"])).mean(axis=0)
    assert decoded.text == "OEC617"
    assert [t for t, _ in decoded.candidates] == ["OEC617", "0EC617"]
    assert [p for _, p in decoded.candidates] == pytest.approx(exact.tolist())

"""The plate reader on two-row plates: when the rows laid side by side are read, and which read is kept."""

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from edge.metadata import DEFAULT_READ_CROPS, SINGLE_CROP, SlopeLevelling, TwoRowReading
from edge.recognizer import PlateRecognizer
from edge.text import ALPHABET
from edge.two_rows import find_row_gap
from edge.types import Box
from tests.edge.strokes import sheared, text_strip, two_row_plate
from tests.edge.test_recognizer import SPEC, ScriptedRunner, card

TWO_ROWS = SINGLE_CROP.model_copy(update={"two_rows": TwoRowReading()})
SQUARE = cv2.cvtColor(two_row_plate(), cv2.COLOR_GRAY2BGR)  # 160 x 134: a two-row plate as a whole image


def read(script, image=SQUARE, box=None, crops=TWO_ROWS):
    runner = ScriptedRunner(script)
    return PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=crops).read(image, box), runner


def test_a_short_sure_read_of_a_square_plate_gives_way_to_its_rows_side_by_side():
    decoded, runner = read([("AB", 0.99), ("AB1234", 0.8), ("AB1234", 0.92)])
    assert decoded.text == "AB1234" and len(runner.inputs) == 3
    # the first input is the square plate squeezed whole, a blank band across its middle (the gap); the
    # second is the plate laid out as one row, strokes through its middle
    plain, laid_out = (np.abs(np.diff(x[:, :, 0].astype(np.float32), axis=1)).mean(axis=1) for x in runner.inputs[:2])
    middle = len(plain) // 2
    assert plain[middle] < 0.3 * plain.mean() and laid_out[middle] > laid_out.mean()


def test_the_rows_read_must_be_longer_and_at_least_as_sure():
    assert read([("ABC123", 0.9), ("ABC1234", 0.7), ("ABC1234", 0.8)])[0].text == "ABC123"  # less sure than a long read
    assert read([("ABC123", 0.9), ("ABC1234", 0.7), ("ABC1234", 0.95)])[0].text == "ABC1234"
    assert read([("AB", 0.99), ("AB1234", 0.7), ("AB1234", 0.4)])[0].text == "AB"  # under min_confidence
    assert read([("AB", 0.99), ("AB1234", 0.7), ("A", 0.99)])[0].text == "AB"  # not longer
    assert read([("XP", 0.99), ("XPAB", 0.7), ("XPAB", 0.85)])[0].text == "XP"  # short and surer: 0.9 needed


def test_a_sure_one_row_read_is_kept_without_trying_the_rows():
    decoded, runner = read([("ABC123", 0.99)])
    assert decoded.text == "ABC123" and len(runner.inputs) == 1


def test_the_other_crops_of_the_laid_out_plate_are_read_only_when_its_first_read_is_promising():
    decoded, runner = read([("ABC123", 0.9), ("AB", 0.99)])  # shorter: a one-row plate cut in two
    assert decoded.text == "ABC123" and len(runner.inputs) == 2
    decoded, runner = read([("AB", 0.99), ("AB1234", 0.2)])  # under min_first_confidence
    assert decoded.text == "AB" and len(runner.inputs) == 2


def test_a_wide_plate_or_a_crop_without_a_gap_is_read_once():
    frame = np.full((200, 400, 3), 200, np.uint8)
    decoded, runner = read([("AB", 0.99)], frame, Box(100, 80, 300, 120))  # 5 wide for 1 tall
    assert decoded.text == "AB" and len(runner.inputs) == 1
    one_row = cv2.cvtColor(text_strip(150, 70), cv2.COLOR_GRAY2BGR)  # about 2 wide for 1 tall, no gap
    strict = SINGLE_CROP.model_copy(update={"two_rows": TwoRowReading(max_gap_ratio=0.5)})
    decoded, runner = read([("AB", 0.99)], one_row, crops=strict)
    assert len(runner.inputs) == 1


def test_a_boxed_square_plate_is_laid_out_from_its_box():
    frame = np.full((300, 400, 3), 90, np.uint8)
    frame[100:234, 120:280] = SQUARE
    decoded, runner = read([("A", 0.99), ("AB1234", 0.7), ("AB1234", 0.95)], frame, Box(120, 100, 280, 234))
    assert decoded.text == "AB1234" and len(runner.inputs) == 3


def test_from_card_reads_two_rows_unless_told_not_to_and_bad_settings_are_refused():
    runner = ScriptedRunner([])
    assert DEFAULT_READ_CROPS.two_rows == TwoRowReading()
    assert PlateRecognizer.from_card(runner, card(DEFAULT_READ_CROPS)).crops.two_rows is not None
    assert PlateRecognizer.from_card(runner, card(DEFAULT_READ_CROPS), two_rows=False).crops.two_rows is None
    for bad in (
        {"min_first_confidence": 1.5},
        {"gap_band": (0.7, 0.3)},
        {"gap_band": (0.0, 0.5)},
        {"overlap": 0.6},
        {"max_aspect": 0},
    ):
        with pytest.raises(ValidationError):
            TwoRowReading(**bad)


def test_a_sloping_two_row_plate_is_levelled_before_its_rows_are_cut():
    sloping = cv2.cvtColor(sheared(two_row_plate(), 12.0), cv2.COLOR_GRAY2BGR)
    levelling = TWO_ROWS.model_copy(update={"level": SlopeLevelling()})
    recognizer = PlateRecognizer(ScriptedRunner([]), SPEC, ALPHABET, "probs", crops=levelling)
    level = recognizer._levelled(sloping)
    grey = [cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) for image in (sloping, level)]
    assert find_row_gap(grey[1]).ratio < 0.5 * find_row_gap(grey[0]).ratio  # the gap runs level again
    as_is = PlateRecognizer(ScriptedRunner([]), SPEC, ALPHABET, "probs", crops=TWO_ROWS)._levelled(sloping)
    assert as_is is sloping  # without crops.level the plate is cut as it is

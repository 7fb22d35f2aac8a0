"""Sloping plates: the slope estimate on drawn text, and the shear that levels it."""

import math

import numpy as np
import pytest

from edge.slope import estimate_slant, estimate_slope, level_plate, upright_plate
from edge.types import Box
from tests.edge.strokes import leaning, sheared, text_strip


@pytest.mark.parametrize("degrees", [-20.0, -9.0, 0.0, 7.0, 15.0])
def test_the_estimate_finds_the_slope_of_drawn_text(degrees):
    assert estimate_slope(sheared(text_strip(), degrees)) == pytest.approx(degrees, abs=1.0)


def test_a_blank_crop_is_level_and_bad_input_is_refused():
    assert estimate_slope(np.full((30, 90), 128, np.uint8)) == 0.0
    with pytest.raises(ValueError):
        estimate_slope(np.zeros((30, 90, 3), np.uint8))
    with pytest.raises(ValueError):
        estimate_slope(np.zeros((30, 90), np.uint8), max_degrees=0)


def test_levelling_undoes_the_slope_and_keeps_the_plate_in_its_box():
    plate = text_strip()
    frame = np.full((400, 600), 120, np.uint8)
    tilted = sheared(plate, 12.0)
    y0, x0 = 150, 180
    frame[y0 : y0 + tilted.shape[0], x0 : x0 + tilted.shape[1]] = tilted
    rows = np.nonzero((frame < 100).any(axis=1))[0]  # the strokes' rows: the tight box of the tilted text
    box = Box(x0, rows[0] - 12, x0 + plate.shape[1], rows[-1] + 13)
    image, levelled_box = level_plate(frame, box, 12.0)
    assert levelled_box.width == pytest.approx(box.width)
    dropped = box.width * math.tan(math.radians(12))
    assert levelled_box.height == pytest.approx(max(box.height - dropped, 0.2 * box.width))
    x1, y1, x2, y2 = (round(v) for v in (levelled_box.x1, levelled_box.y1, levelled_box.x2, levelled_box.y2))
    inside = image[max(0, y1) : y2, x1:x2]
    assert (inside < 100).sum() >= 0.95 * (plate < 100).sum()  # the strokes are inside the levelled box
    assert abs(estimate_slope(inside)) <= 1.0


def test_a_flat_plate_keeps_its_box_and_pixels():
    frame = np.random.default_rng(1).integers(0, 255, (100, 160, 3), dtype=np.uint8)
    box = Box(40, 40, 120, 60)
    image, levelled = level_plate(frame, box, 0.0)
    crop = image[int(levelled.y1) : int(levelled.y2), int(levelled.x1) : int(levelled.x2)]
    assert levelled.width == box.width and levelled.height == box.height
    np.testing.assert_array_equal(crop, frame[40:60, 40:120])
    with pytest.raises(ValueError):
        level_plate(frame, Box(10, 10, 10, 20), 5.0)


@pytest.mark.parametrize("degrees", [-18.0, 0.0, 12.0, 25.0])
def test_the_estimate_finds_the_lean_of_drawn_strokes(degrees):
    strip = leaning(text_strip(), degrees)
    assert estimate_slant(strip) == pytest.approx(degrees, abs=1.0)
    assert abs(estimate_slope(strip)) <= 1.0  # leaning strokes still run level
    assert estimate_slant(np.full((30, 90), 128, np.uint8)) == 0.0


def test_upright_undoes_the_lean_and_keeps_the_box_size():
    plate = leaning(text_strip(), 15.0)
    frame = np.full((300, 500), 120, np.uint8)
    frame[100 : 100 + plate.shape[0], 120 : 120 + plate.shape[1]] = plate
    box = Box(120, 100, 120 + plate.shape[1], 100 + plate.shape[0])
    image, upright_box = upright_plate(frame, box, 15.0)
    assert (upright_box.width, upright_box.height) == (box.width, box.height)
    x1, y1, x2, y2 = (round(v) for v in (upright_box.x1, upright_box.y1, upright_box.x2, upright_box.y2))
    inside = image[y1:y2, x1:x2]
    assert abs(estimate_slant(inside)) <= 1.0
    assert (inside < 100).sum() >= 0.95 * (plate < 100).sum()  # every stroke still inside the box
    same, same_box = upright_plate(frame, box, 0.0)
    x1, y1 = round(same_box.x1), round(same_box.y1)
    np.testing.assert_array_equal(same[y1 : y1 + 60, x1 : x1 + 100], frame[100:160, 120:220])

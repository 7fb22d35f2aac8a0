"""Two-row plates: the gap between drawn rows of strokes, and the rows laid side by side."""

import numpy as np
import pytest

from edge.two_rows import find_row_gap, side_by_side
from tests.edge.strokes import text_strip, two_row_plate


@pytest.mark.parametrize("top_height, bottom_height", [(50, 50), (44, 60), (58, 48)])
def test_the_gap_between_two_rows_is_found_and_is_clear(top_height, bottom_height):
    plate = two_row_plate(top_height, bottom_height)
    gap = find_row_gap(plate)
    gap_start, gap_end = 10 + top_height, 10 + top_height + 14
    assert gap_start <= gap.split <= gap_end
    assert gap.ratio < 0.2


def test_one_row_of_text_has_no_clear_gap():
    one_row = np.concatenate(
        [np.full((20, 240), 230, np.uint8), text_strip(240, 80), np.full((20, 240), 230, np.uint8)]
    )
    assert find_row_gap(one_row).ratio > 0.8


def test_a_blank_crop_has_no_gap_and_bad_input_is_refused():
    assert find_row_gap(np.full((40, 60), 128, np.uint8)).ratio == 1.0
    with pytest.raises(ValueError):
        find_row_gap(np.zeros((40, 60, 3), np.uint8))
    with pytest.raises(ValueError):
        find_row_gap(np.zeros((40, 60), np.uint8), band=(0.7, 0.3))


def test_side_by_side_puts_the_top_row_first_at_one_height():
    image = np.zeros((100, 80, 3), np.uint8)
    image[:50] = (255, 0, 0)  # top row blue
    image[50:] = (0, 0, 255)  # bottom row red
    laid = side_by_side(image, 40, overlap=0.0)  # the top part is 40 rows, the bottom 60
    assert laid.shape[0] == 60
    assert laid.shape[1] == round(80 * 60 / 40) + 80
    assert tuple(laid[5, 5]) == (255, 0, 0)
    assert tuple(laid[-5, -5]) == (0, 0, 255)


def test_side_by_side_overlaps_across_the_split_and_refuses_a_bad_split():
    image = np.arange(100, dtype=np.uint8).repeat(20).reshape(100, 20)
    laid = side_by_side(image, 50, overlap=0.05)
    assert laid.shape == (55, 40)
    assert laid[-1, 0] == 54 and laid[0, 20] == 45
    with pytest.raises(ValueError):
        side_by_side(image, 0)
    with pytest.raises(ValueError):
        side_by_side(image, 50, overlap=0.6)

"""Boxes carried between an image and the image turned a quarter (photos stored on their side)."""

import numpy as np
import pytest

from edge.ctc import DecodedText
from edge.sideways import box_in_turned, boxes_from_turned, boxes_to_turned, is_tall, surest_read, turn
from edge.types import Box

IMAGE = np.random.default_rng(3).integers(0, 255, (30, 50, 3), dtype=np.uint8)
BOX = Box(7, 4, 19, 25)


def cut(image: np.ndarray, box: Box) -> np.ndarray:
    return image[int(box.y1) : int(box.y2), int(box.x1) : int(box.x2)]


@pytest.mark.parametrize("quarters", [1, 3])
def test_a_box_lands_on_the_same_pixels_of_the_turned_image(quarters):
    turned = turn(IMAGE, quarters)
    assert turned.shape == (50, 30, 3) and turned.flags["C_CONTIGUOUS"]
    inside = box_in_turned(BOX, IMAGE.shape[1], quarters, IMAGE.shape[0])
    np.testing.assert_array_equal(cut(turned, inside), np.rot90(cut(IMAGE, BOX), quarters))


def test_boxes_go_to_the_turned_image_and_back():
    boxes = np.asarray([BOX.as_list(), [0, 0, 50, 30]], np.float32)
    there = boxes_to_turned(boxes, 50)
    assert there[0].tolist() == box_in_turned(BOX, 50, 1, 30).as_list()
    assert there[1].tolist() == [0, 0, 30, 50]
    np.testing.assert_array_equal(boxes_from_turned(there, 50), boxes)
    assert boxes_to_turned(np.zeros((0, 4)), 50).shape == (0, 4)


def test_tall_boxes_and_bad_turns():
    assert is_tall(np.asarray([[0, 0, 10, 30], [0, 0, 30, 10], [0, 0, 10, 10]])).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="quarters"):
        box_in_turned(BOX, 50, 2, 30)


def test_the_surest_read_has_the_most_sure_characters_then_the_surest_least_sure_one():
    fragment = DecodedText("I", (0.999,))
    upright = DecodedText("B96SXV", (0.99, 0.95, 0.97, 0.6, 0.99, 0.93))
    upside_down = DecodedText("AXS968", (0.99, 0.99, 0.5, 0.8, 0.99, 0.7))
    assert surest_read([fragment, upside_down, upright]) is upright  # 5 sure characters against 3 and 1
    surer = DecodedText("B96SXV", (0.99, 0.95, 0.97, 0.7, 0.99, 0.93))
    assert surest_read([upright, surer]) is surer  # 5 each: the surer least-sure character
    assert surest_read([upright, upright]) is upright and surest_read([DecodedText("", ())]).text == ""
    with pytest.raises(ValueError, match="no read"):
        surest_read([])

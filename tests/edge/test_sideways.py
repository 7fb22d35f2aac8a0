"""Boxes carried between an image and the image turned a quarter (photos stored on their side)."""

import numpy as np
import pytest

from edge.ctc import DecodedText
from edge.metadata import DEFAULT_READ_CROPS, InputSpec
from edge.preprocess import prepare_ocr_crop
from edge.sideways import (
    box_in_turned,
    boxes_from_turned,
    boxes_to_turned,
    is_tall,
    region_around,
    surest_read,
    turn,
)
from edge.slope import level_plate, upright_plate
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


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal crops, but for a grey level where float32 box corners round a hair apart."""
    return a.shape == b.shape and int(np.abs(a.astype(np.int16) - b).max()) <= 1


@pytest.mark.parametrize(
    "box", [Box(300.5, 100.2, 331.7, 190.9), Box(2.0, 5.0, 40.0, 150.0), Box(10.0, 20.0, 200.0, 60.0)]
)
def test_the_region_around_a_plate_turned_gives_the_reader_the_same_pixels_as_the_whole_image(box):
    image = np.random.default_rng(3).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    region, local = region_around(image, box)
    assert region.size < image.size and local.width == pytest.approx(box.width)
    spec = InputSpec(height=48, width=160, colour="grey", margin_x=0.04, margin_y=0.12)
    for quarters in (1, 3):
        whole, whole_box = turn(image, quarters), box_in_turned(box, 640, quarters, 480)
        part, part_box = turn(region, quarters), box_in_turned(local, region.shape[1], quarters, region.shape[0])
        for crop in DEFAULT_READ_CROPS.crops:
            assert same(prepare_ocr_crop(whole, whole_box, spec, crop), prepare_ocr_crop(part, part_box, spec, crop))
        for straighten in (level_plate, upright_plate):  # the crops of the plate straightened, too
            a, a_box = straighten(whole, whole_box, 44.0)
            b, b_box = straighten(part, part_box, 44.0)
            for crop in DEFAULT_READ_CROPS.crops:
                assert same(prepare_ocr_crop(a, a_box, spec, crop), prepare_ocr_crop(b, b_box, spec, crop))
    assert region_around(image, None)[0] is image and region_around(image, None)[1] is None

import numpy as np
import pytest

from edge.metadata import InputSpec
from edge.preprocess import (
    convert_colour,
    crop_box,
    crop_plate,
    expand_box,
    letterbox,
    normalise,
    prepare_detector_input,
    prepare_ocr_input,
)
from edge.types import Box


def test_letterbox_keeps_aspect_and_maps_boxes_back():
    frame = np.zeros((720, 1280, 3), np.uint8)
    out, info = letterbox(frame, 256, 256)
    assert out.shape == (256, 256, 3)
    assert info.scale_x == pytest.approx(0.2) and info.scale_y == pytest.approx(0.2)
    assert info.pad_x == 0 and info.pad_y == 56
    boxes = np.array([[100, 200, 300, 260]], np.float32)
    assert np.allclose(info.to_frame(info.to_input(boxes)), boxes, atol=1e-4)
    assert np.allclose(info.to_input(boxes), [[20, 96, 60, 108]])


def test_letterbox_pads_with_pad_value_and_centres():
    image = np.full((10, 40, 3), 200, np.uint8)
    out, info = letterbox(image, 40, 40, pad_value=7)
    assert info.pad_y == 15
    assert (out[:15] == 7).all() and (out[25:] == 7).all() and (out[15:25] == 200).all()


def test_expand_box_adds_fraction_of_size():
    assert expand_box(Box(10, 20, 110, 40), 0.1, 0.5) == Box(0, 10, 120, 50)


def test_crop_box_replicates_border_outside_image():
    image = np.arange(25, dtype=np.uint8).reshape(5, 5, 1).repeat(3, axis=2)
    crop = crop_box(image, Box(-2, 0, 3, 2))
    assert crop.shape == (2, 5, 3)
    assert (crop[0, :, 0] == [0, 0, 0, 1, 2]).all()
    with pytest.raises(ValueError):
        crop_box(image, Box(10, 10, 12, 12))


def test_crop_plate_none_is_whole_image():
    image = np.zeros((8, 16, 3), np.uint8)
    spec = InputSpec(height=4, width=8, margin_x=0.5, margin_y=0.5)
    assert crop_plate(image, None, spec) is image


def test_prepare_ocr_input_shapes_and_colour():
    image = np.zeros((100, 200, 3), np.uint8)
    image[:, :, 2] = 255  # pure red in BGR
    rgb = prepare_ocr_input(image, Box(50, 40, 150, 60), InputSpec(height=32, width=96, colour="rgb"))
    assert rgb.shape == (32, 96, 3) and rgb.dtype == np.uint8
    assert (rgb[..., 0] == 255).all() and (rgb[..., 2] == 0).all()
    grey = prepare_ocr_input(image, None, InputSpec(height=32, width=96, colour="grey"))
    assert grey.shape == (32, 96, 1)


def test_prepare_detector_input_letterbox_round_trip():
    frame = np.zeros((720, 1280, 3), np.uint8)
    tensor, info = prepare_detector_input(frame, InputSpec(height=216, width=384, resize="letterbox"))
    assert tensor.shape == (216, 384, 3)
    assert info.scale_x == pytest.approx(0.3) and info.pad_y == 0


def test_convert_colour_grey_input_to_rgb():
    grey = np.full((4, 4), 9, np.uint8)
    assert convert_colour(grey, "rgb").shape == (4, 4, 3)


def test_normalise_range():
    x = normalise(np.array([0, 255], np.uint8))
    assert x.dtype == np.float32 and x[0] == 0.0 and x[1] == 1.0


def test_read_crop_box_moves_each_side_by_a_fraction_of_the_grown_box():
    from edge.metadata import ReadCrop
    from edge.preprocess import read_crop_box

    spec = InputSpec(height=16, width=48, margin_x=0.1, margin_y=0.25)
    image = np.zeros((100, 200, 3), np.uint8)
    grown = read_crop_box(image, Box(50, 40, 150, 60), spec, ReadCrop(name="base"))
    assert grown.as_list() == pytest.approx([40, 35, 160, 65])  # 100x20 box grown by 10 px and 5 px
    moved = read_crop_box(image, Box(50, 40, 150, 60), spec, ReadCrop(name="m", left=0.1, top=-0.1, right=-0.05))
    assert moved.as_list() == pytest.approx([28, 38, 154, 65])
    whole = read_crop_box(image, None, spec, ReadCrop(name="loose", left=0.05, bottom=0.1))
    assert whole.as_list() == pytest.approx([-10, 0, 200, 110])  # no box: the whole image is the plate


def test_prepare_ocr_crop_base_equals_prepare_ocr_input_and_pads_outside_the_image():
    from edge.metadata import BASE_CROP, ReadCrop
    from edge.preprocess import prepare_ocr_crop

    spec = InputSpec(height=16, width=48, colour="grey", margin_x=0.04, margin_y=0.12)
    image = np.random.default_rng(1).integers(0, 255, (40, 120, 3), dtype=np.uint8)
    for box in (Box(10, 5, 100, 30), None):
        assert np.array_equal(prepare_ocr_crop(image, box, spec, BASE_CROP), prepare_ocr_input(image, box, spec))
    loose = prepare_ocr_crop(image, None, spec, ReadCrop(name="loose", left=0.1, top=0.2, right=0.1, bottom=0.2))
    assert loose.shape == (16, 48, 1)
